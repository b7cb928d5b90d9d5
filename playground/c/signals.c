/* A GLib-style signal system.
 *
 * Handlers are stored as the generic GCallback `void (*)(void)`, and the
 * emitter calls every one of them as the signal's marshaller type, whatever
 * the handler declared (G_CALLBACK() is a plain cast):
 *
 *   "clicked" emits (Widget *, int x, int y, gpointer user_data) to
 *     on_clicked_full(Widget *, int, int, gpointer)        matched
 *     on_clicked(Widget *)                                 fewer parameters
 *     on_clicked_at(Widget *, int x, int y)                fewer parameters
 *     on_clicked_stop(...) returning gboolean              a result nobody reads
 *     on_clicked_mods(..., gpointer, int modifiers)        one more parameter (reads 0)
 *   "toggled" emits (Widget *, gboolean active, gpointer user_data) to
 *     on_toggled(Widget *, gboolean)                       fewer parameters
 *     on_toggled_any(void)                                 none at all
 *
 * Native ABIs ignore the extra registers and this is everyday GLib code; in
 * wasm each mismatched call traps with "function signature mismatch".
 */
#include "playground.h"

typedef void *gpointer;
typedef int gboolean;
typedef void (*GCallback)(void);
#define G_CALLBACK(f) ((GCallback)(f))

typedef struct Widget { const char *name; int clicks; gboolean active; } Widget;

typedef void (*ClickedMarshal)(Widget *w, int x, int y, gpointer user_data);
typedef void (*ToggledMarshal)(Widget *w, gboolean active, gpointer user_data);

typedef struct { GCallback callback; gpointer user_data; } Handler;
typedef struct { const char *name; int n; Handler handlers[8]; } Signal;

static Widget button = {"button", 0, 0};
static Signal clicked = {"clicked", 0, {{0, 0}}};
static Signal toggled = {"toggled", 0, {{0, 0}}};

static void g_signal_connect(Signal *s, GCallback cb, gpointer user_data) {
  s->handlers[s->n].callback = cb;
  s->handlers[s->n].user_data = user_data;
  s->n++;
}

/* One call site for every "clicked" handler, like g_cclosure_marshal_VOID__INT_INT. */
DISPATCHER void g_signal_emit_clicked(Widget *w, int x, int y) {
  for (int i = 0; i < clicked.n; i++) {
    ClickedMarshal m = (ClickedMarshal)clicked.handlers[i].callback;
    OPAQUE(m)(w, x, y, clicked.handlers[i].user_data);
  }
}

DISPATCHER void g_signal_emit_toggled(Widget *w, gboolean active) {
  for (int i = 0; i < toggled.n; i++) {
    ToggledMarshal m = (ToggledMarshal)toggled.handlers[i].callback;
    OPAQUE(m)(w, active, toggled.handlers[i].user_data);
  }
}

static void on_clicked_full(Widget *w, int x, int y, gpointer user_data) {
  log_str("on_clicked_full(widget, x, y, user_data): ");
  log_str(w->name); log_str(" at ("); log_int(x); log_str(", "); log_int(y);
  log_str("), user_data \""); log_str((const char *)user_data); log_str("\""); log_end();
}
static void on_clicked(Widget *w) {
  w->clicks++;
  log_str("on_clicked(widget): "); log_str(w->name); log_str(" clicked ");
  log_int(w->clicks); log_str(" times"); log_end();
}
static void on_clicked_at(Widget *w, int x, int y) {
  log_str("on_clicked_at(widget, x, y): x + y = "); log_int(x + y); log_end();
}
static gboolean on_clicked_stop(Widget *w, int x, int y, gpointer user_data) {
  log_str("on_clicked_stop(...) -> gboolean: returns 1, the marshaller drops it"); log_end();
  return 1;
}
static void on_clicked_mods(Widget *w, int x, int y, gpointer user_data, int modifiers) {
  log_str("on_clicked_mods(..., modifiers): modifiers = "); log_int(modifiers); log_end();
}
static void on_toggled(Widget *w, gboolean active) {
  w->active = active;
  log_str("on_toggled(widget, active): active = "); log_int(active); log_end();
}
static void on_toggled_any(void) {
  log_str("on_toggled_any(void): something toggled"); log_end();
}

static void connect_all(void) {
  if (clicked.n) return;
  g_signal_connect(&clicked, G_CALLBACK(on_clicked_full), "hello");
  g_signal_connect(&clicked, G_CALLBACK(on_clicked), 0);
  g_signal_connect(&clicked, G_CALLBACK(on_clicked_at), 0);
  g_signal_connect(&clicked, G_CALLBACK(on_clicked_stop), 0);
  g_signal_connect(&clicked, G_CALLBACK(on_clicked_mods), 0);
  g_signal_connect(&toggled, G_CALLBACK(on_toggled), 0);
  g_signal_connect(&toggled, G_CALLBACK(on_toggled_any), 0);
}

/* Emits "clicked" at (x, y); returns the button's click count. */
EXPORT int pg_emit_clicked(int x, int y) {
  connect_all();
  g_signal_emit_clicked(&button, x, y);
  return button.clicks;
}

/* Emits "toggled" with the opposite state; returns the state the handlers stored. */
EXPORT int pg_emit_toggled(void) {
  connect_all();
  g_signal_emit_toggled(&button, !button.active);
  return button.active;
}
