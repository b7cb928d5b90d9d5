// Headless Chromium through playwright-core (the Debian package at /usr/bin/chromium).
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const chromiumAvailable = () => existsSync(CHROMIUM)

export function launchChromium(jsFlags: string[] = []): Promise<Browser> {
  const args = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update']
  if (jsFlags.length) args.push(`--js-flags=${jsFlags.join(' ')}`)
  return chromium.launch({ executablePath: CHROMIUM, args, headless: true })
}
