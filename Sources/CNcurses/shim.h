#ifndef STEPFLOW_CNCURSES_SHIM_H
#define STEPFLOW_CNCURSES_SHIM_H

// SwiftPM does not pass ncursesw's pkg-config cflags to this header, so the wide
// character API (wget_wch, cchar_t) has to be switched on here, before curses.h.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <curses.h>
#include <term.h>

// Swift 6 cannot use the C globals and macros below directly; these accessors can.
static inline WINDOW *stepflow_stdscr(void) { return stdscr; }
static inline int stepflow_lines(void) { return LINES; }
static inline int stepflow_cols(void) { return COLS; }
static inline const char *stepflow_curses_version(void) { return curses_version(); }

static inline attr_t stepflow_attr_bold(void) { return A_BOLD; }
static inline attr_t stepflow_attr_reverse(void) { return A_REVERSE; }
static inline attr_t stepflow_attr_dim(void) { return A_DIM; }
static inline attr_t stepflow_color_pair(int pair) { return COLOR_PAIR(pair); }
static inline int stepflow_key_code_yes(void) { return KEY_CODE_YES; }
static inline int stepflow_set_attributes(attr_t attributes) { return attrset((int)attributes); }

// Opens ncurses on the process's own stdout/stdin; NULL instead of exit() on failure.
static inline SCREEN *stepflow_newterm(void) { return newterm(NULL, stdout, stdin); }

// Whether the terminal can move the cursor (a full-screen console needs it).
static inline int stepflow_has_cursor_addressing(void) {
    char *capability = tigetstr("cup");
    return capability != NULL && capability != (char *)-1;
}

#endif
