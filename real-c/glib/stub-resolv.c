/* A configure-time stand-in, not part of any test program.
 * GLib's gio/meson.build refuses to configure without res_query(), which
 * Emscripten's libc lacks. Only GLib's core library and glib/tests are built
 * and run here; gio (the only user of res_query) is configured, never built. */
int res_query(const char *dname, int cls, int type, unsigned char *answer, int anslen)
{
  (void)dname; (void)cls; (void)type; (void)answer; (void)anslen;
  return -1;
}
