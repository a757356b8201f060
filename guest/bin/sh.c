/* sh: a small Bourne-style shell, enough for `sh -c 'cmd args > file'`, pipelines and
   the short scripts the benchmarks run.

   usage: sh -c 'commands' [name [args...]]     sh [script]   (else standard input)

   What it understands:
     lists       a ; b     a & b (b does not wait for a)     a && b     a || b    newlines
     pipelines   a | b | c      ! a   (negated status)
     redirection > file   >> file   < file   with a descriptor in front (2> file), n>&m
     words       plain, 'single quoted', "double quoted", backslash escapes,
                 $NAME ${NAME} $? $$ $# $0..$9 (expanded inside double quotes too;
                 an expansion is never split into several words), # comments
     builtins    cd [dir], exit [n], : , NAME=value (sets and exports)
   Programs are found through $PATH (/bin when unset); a name with a / is used as is.
   The status of `sh` is the status of the last command (128 + n after signal n). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>

extern char **environ;

#define MAX_WORDS 64
#define MAX_REDIRS 8
#define MAX_CMDS 16

static int last_status;
static int script_argc;
static char **script_argv;

/* ---------------------------------------------------------------- the environment */
static void set_var(const char *name, int nlen, const char *value) {
  int n = 0, i;
  char *entry = malloc(nlen + strlen(value) + 2), **env;
  if (!entry) return;
  memcpy(entry, name, nlen);
  entry[nlen] = '=';
  strcpy(entry + nlen + 1, value);
  for (i = 0; environ && environ[i]; i++) {
    if (!strncmp(environ[i], name, nlen) && environ[i][nlen] == '=') {
      environ[i] = entry;
      return;
    }
    n++;
  }
  env = malloc((n + 2) * sizeof *env);
  if (!env) return;
  for (i = 0; i < n; i++) env[i] = environ[i];
  env[n] = entry;
  env[n + 1] = 0;
  environ = env;
}

static const char *get_var(const char *name, int nlen) {
  int i;
  for (i = 0; environ && environ[i]; i++)
    if (!strncmp(environ[i], name, nlen) && environ[i][nlen] == '=') return environ[i] + nlen + 1;
  return 0;
}

/* ---------------------------------------------------------------- the lexer */
enum tok { T_WORD, T_PIPE, T_OR, T_AMP, T_AND, T_SEMI, T_NL, T_GT, T_GTGT, T_LT, T_GTAMP, T_BANG, T_END, T_ERR };

struct lexer {
  const char *p;
  /* the current token */
  enum tok tok;
  char word[1024];
  int wlen;
  int fd;         /* the descriptor written in front of a redirection, or -1 */
  int expanded;   /* the word came only from unquoted expansions (empty: no word) */
};

static void word_add(struct lexer *lx, const char *s, int n) {
  if (lx->wlen + n >= (int)sizeof lx->word) n = sizeof lx->word - 1 - lx->wlen;
  memcpy(lx->word + lx->wlen, s, n);
  lx->wlen += n;
  lx->word[lx->wlen] = 0;
}

static int is_name_char(char c, int first) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
}

/* $... at lx->p (just past the $): appends the value */
static void expand(struct lexer *lx) {
  char num[16];
  const char *p = lx->p;
  if (*p == '?' || *p == '$' || *p == '#' || (*p >= '0' && *p <= '9')) {
    if (*p == '?') snprintf(num, sizeof num, "%d", last_status);
    else if (*p == '$') snprintf(num, sizeof num, "%d", getpid());
    else if (*p == '#') snprintf(num, sizeof num, "%d", script_argc > 0 ? script_argc - 1 : 0);
    else {
      int i = *p - '0';
      num[0] = 0;
      if (i < script_argc) {
        word_add(lx, script_argv[i], strlen(script_argv[i]));
      }
      lx->p = p + 1;
      return;
    }
    word_add(lx, num, strlen(num));
    lx->p = p + 1;
    return;
  }
  if (*p == '{') {
    const char *end = strchr(p, '}');
    const char *v;
    if (!end) {
      word_add(lx, "$", 1);
      return;
    }
    v = get_var(p + 1, end - p - 1);
    if (v) word_add(lx, v, strlen(v));
    lx->p = end + 1;
    return;
  }
  if (is_name_char(*p, 1)) {
    const char *q = p, *v;
    while (is_name_char(*q, 0)) q++;
    v = get_var(p, q - p);
    if (v) word_add(lx, v, strlen(v));
    lx->p = q;
    return;
  }
  word_add(lx, "$", 1); /* a lone $ is itself */
}

static enum tok next(struct lexer *lx) {
  const char *p;
  int quoted = 0, literal = 0;
  lx->wlen = 0;
  lx->word[0] = 0;
  lx->fd = -1;
  lx->expanded = 0;
  while (*lx->p == ' ' || *lx->p == '\t') lx->p++;
  if (*lx->p == '#')
    while (*lx->p && *lx->p != '\n') lx->p++;
  p = lx->p;
  if (!*p) return lx->tok = T_END;
  /* a descriptor number glued to a redirection: 2>file */
  if (*p >= '0' && *p <= '9' && (p[1] == '>' || p[1] == '<')) {
    lx->fd = *p - '0';
    p++;
  }
  switch (*p) {
    case '\n': lx->p = p + 1; return lx->tok = T_NL;
    case ';': lx->p = p + 1; return lx->tok = T_SEMI;
    case '|':
      if (p[1] == '|') { lx->p = p + 2; return lx->tok = T_OR; }
      lx->p = p + 1; return lx->tok = T_PIPE;
    case '&':
      if (p[1] == '&') { lx->p = p + 2; return lx->tok = T_AND; }
      lx->p = p + 1; return lx->tok = T_AMP;
    case '<': lx->p = p + 1; return lx->tok = T_LT;
    case '>':
      if (p[1] == '>') { lx->p = p + 2; return lx->tok = T_GTGT; }
      if (p[1] == '&') { lx->p = p + 2; return lx->tok = T_GTAMP; }
      lx->p = p + 1; return lx->tok = T_GT;
    case '!':
      if (p[1] == ' ' || p[1] == '\t') { lx->p = p + 1; return lx->tok = T_BANG; }
      break;
  }
  /* a word: up to an unquoted blank or operator */
  lx->fd = -1;
  for (;;) {
    char c = *lx->p;
    if (!c || c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '|' || c == '&' || c == '<' || c == '>') break;
    if (c == '\'') {
      const char *end = strchr(lx->p + 1, '\'');
      if (!end) return lx->tok = T_ERR;
      word_add(lx, lx->p + 1, end - lx->p - 1);
      lx->p = end + 1;
      quoted = 1;
    } else if (c == '"') {
      lx->p++;
      quoted = 1;
      while (*lx->p && *lx->p != '"') {
        if (*lx->p == '\\' && lx->p[1] && strchr("$`\"\\\n", lx->p[1])) {
          word_add(lx, lx->p + 1, 1);
          lx->p += 2;
        } else if (*lx->p == '$') {
          lx->p++;
          expand(lx);
        } else {
          word_add(lx, lx->p, 1);
          lx->p++;
        }
      }
      if (*lx->p != '"') return lx->tok = T_ERR;
      lx->p++;
    } else if (c == '\\') {
      if (lx->p[1]) word_add(lx, lx->p + 1, 1);
      lx->p += lx->p[1] ? 2 : 1;
      literal = 1;
    } else if (c == '$') {
      lx->p++;
      expand(lx);
    } else {
      word_add(lx, lx->p, 1);
      lx->p++;
      literal = 1;
    }
  }
  lx->expanded = !quoted && !literal;
  return lx->tok = T_WORD;
}

/* ---------------------------------------------------------------- commands */
struct redir {
  int fd;      /* the descriptor redirected */
  int how;     /* T_GT, T_GTGT, T_LT, T_GTAMP */
  char *target;
};

struct command {
  char *argv[MAX_WORDS + 1];
  int argc;
  struct redir redirs[MAX_REDIRS];
  int nredirs;
};

static void fail(const char *what, const char *why) { fprintf(stderr, "sh: %s: %s\n", what, why); }

static int apply_redirs(struct command *c) {
  int i;
  for (i = 0; i < c->nredirs; i++) {
    struct redir *r = &c->redirs[i];
    int fd;
    if (r->how == T_GTAMP) {
      char *end;
      long to = strtol(r->target, &end, 10);
      if (*end || dup2((int)to, r->fd) < 0) {
        fail(r->target, "bad file descriptor");
        return -1;
      }
      continue;
    }
    fd = r->how == T_LT ? open(r->target, O_RDONLY)
                        : open(r->target, O_WRONLY | O_CREAT | (r->how == T_GTGT ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
      fail(r->target, strerror(errno));
      return -1;
    }
    if (fd != r->fd) {
      dup2(fd, r->fd);
      close(fd);
    }
  }
  return 0;
}

/* in a child: run the program, searching $PATH */
static void exec_command(struct command *c) __attribute__((noreturn));
static void exec_command(struct command *c) {
  const char *path, *p;
  char full[512];
  int err = ENOENT;
  if (strchr(c->argv[0], '/')) {
    execve(c->argv[0], c->argv, environ);
    fail(c->argv[0], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  path = get_var("PATH", 4);
  if (!path) path = "/bin";
  for (p = path;;) {
    const char *colon = strchr(p, ':');
    int len = colon ? colon - p : (int)strlen(p);
    snprintf(full, sizeof full, "%.*s%s%s", len, p, len ? "/" : "", c->argv[0]);
    execve(full, c->argv, environ);
    if (errno != ENOENT) err = errno;
    if (!colon) break;
    p = colon + 1;
  }
  fail(c->argv[0], err == ENOENT ? "not found" : strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

static int status_of(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }

/* builtins that change the shell itself; returns -1 when c is not one */
static int builtin(struct command *c) {
  const char *name = c->argv[0], *eq;
  if (!strcmp(name, ":")) return 0;
  if (!strcmp(name, "cd")) {
    const char *dir = c->argc > 1 ? c->argv[1] : get_var("HOME", 4);
    if (!dir || chdir(dir) < 0) {
      fail("cd", dir ? strerror(errno) : "no HOME");
      return 1;
    }
    return 0;
  }
  if (!strcmp(name, "exit")) {
    fflush(stdout);
    exit(c->argc > 1 ? atoi(c->argv[1]) : last_status);
  }
  eq = strchr(name, '=');
  if (c->argc == 1 && eq && eq > name) {
    const char *q;
    for (q = name; q < eq; q++)
      if (!is_name_char(*q, q == name)) return -1;
    set_var(name, eq - name, eq + 1);
    return 0;
  }
  return -1;
}

/* runs a pipeline of n commands; waits for it unless `background` */
static int run_pipeline(struct command *cmds, int n, int background) {
  pid_t pids[MAX_CMDS];
  int i, in = -1, status = 0;
  if (n == 1 && cmds[0].argc > 0 && cmds[0].nredirs == 0 && !background) {
    int b = builtin(&cmds[0]);
    if (b >= 0) return b;
  }
  fflush(stdout);
  for (i = 0; i < n; i++) {
    int p[2] = {-1, -1};
    if (i + 1 < n && pipe(p) < 0) {
      fail("pipe", strerror(errno));
      return 1;
    }
    pids[i] = fork();
    if (pids[i] == 0) {
      if (in >= 0) {
        dup2(in, 0);
        close(in);
      }
      if (p[1] >= 0) {
        dup2(p[1], 1);
        close(p[1]);
        close(p[0]);
      }
      if (apply_redirs(&cmds[i]) < 0) _exit(1);
      if (cmds[i].argc == 0) _exit(0);
      exec_command(&cmds[i]);
    }
    if (pids[i] < 0) fail("fork", strerror(errno));
    if (in >= 0) close(in);
    if (p[1] >= 0) close(p[1]);
    in = p[0];
  }
  if (background) return 0;
  for (i = 0; i < n; i++) {
    int st;
    if (pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] && i == n - 1) status = status_of(st);
    else if (pids[i] <= 0 && i == n - 1) status = 1;
  }
  return status;
}

/* ---------------------------------------------------------------- the parser */
static char *save(const char *s) {
  char *d = strdup(s);
  if (!d) {
    fail("memory", "exhausted");
    exit(2);
  }
  return d;
}

/* one pipeline at lx (its first token read); returns its status, or -1 on a syntax
   error. Leaves lx at the token after it. */
static int pipeline(struct lexer *lx, int *background, int execute) {
  struct command cmds[MAX_CMDS];
  int n = 0, negate = 0, status, i;
  memset(cmds, 0, sizeof cmds);
  if (lx->tok == T_BANG) {
    negate = 1;
    next(lx);
  }
  for (;;) {
    struct command *c = &cmds[n];
    int words = 0;
    for (;;) {
      if (lx->tok == T_WORD) {
        if (!(lx->expanded && lx->wlen == 0)) {
          if (c->argc >= MAX_WORDS) return -1;
          c->argv[c->argc++] = save(lx->word);
        }
        words++;
      } else if (lx->tok == T_GT || lx->tok == T_GTGT || lx->tok == T_LT || lx->tok == T_GTAMP) {
        struct redir *r = &c->redirs[c->nredirs];
        if (c->nredirs >= MAX_REDIRS) return -1;
        r->how = lx->tok;
        r->fd = lx->fd >= 0 ? lx->fd : (lx->tok == T_LT ? 0 : 1);
        if (next(lx) != T_WORD) return -1;
        r->target = save(lx->word);
        c->nredirs++;
        words++;
      } else {
        break;
      }
      next(lx);
    }
    if (!words) return -1;
    n++;
    if (lx->tok != T_PIPE) break;
    if (n >= MAX_CMDS) return -1;
    do next(lx);
    while (lx->tok == T_NL);
  }
  *background = lx->tok == T_AMP;
  status = execute ? run_pipeline(cmds, n, *background) : last_status;
  for (i = 0; i < n; i++) {
    int j;
    for (j = 0; j < cmds[i].argc; j++) free(cmds[i].argv[j]);
    for (j = 0; j < cmds[i].nredirs; j++) free(cmds[i].redirs[j].target);
  }
  if (negate) status = !status;
  return status;
}

/* a whole program text: lists of and-or chains of pipelines */
static int run_text(const char *text) {
  struct lexer lx;
  lx.p = text;
  next(&lx);
  for (;;) {
    int execute = 1, background = 0;
    while (lx.tok == T_NL || lx.tok == T_SEMI) next(&lx);
    if (lx.tok == T_END) return 0;
    for (;;) {
      int st = pipeline(&lx, &background, execute);
      if (st < 0) {
        fail("syntax error near", lx.tok == T_WORD ? lx.word : lx.tok == T_END ? "end of input" : "an operator");
        last_status = 2;
        return -1;
      }
      if (execute) last_status = st;
      if (lx.tok == T_AND || lx.tok == T_OR) {
        /* a && b runs b when a succeeded; a || b when it failed */
        execute = (lx.tok == T_AND) == (last_status == 0);
        do next(&lx);
        while (lx.tok == T_NL);
        continue;
      }
      break;
    }
    if (lx.tok == T_AMP || lx.tok == T_SEMI || lx.tok == T_NL) {
      next(&lx);
      continue;
    }
    if (lx.tok == T_END) return 0;
    fail("syntax error near", lx.tok == T_WORD ? lx.word : "an operator");
    last_status = 2;
    return -1;
  }
}

static char *read_all(int fd) {
  long cap = 4096, len = 0, n;
  char *buf = malloc(cap);
  if (!buf) return 0;
  while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
    len += n;
    if (len + 1 >= cap) {
      char *more = realloc(buf, cap * 2);
      if (!more) break;
      buf = more;
      cap *= 2;
    }
  }
  buf[len] = 0;
  return buf;
}

int main(int argc, char **argv) {
  char *text;
  if (argc >= 2 && !strcmp(argv[1], "-c")) {
    if (argc < 3) {
      fail("-c", "requires an argument");
      return 2;
    }
    /* sh -c cmd name args...: $0 is name, $1... the args */
    script_argc = argc - 3;
    script_argv = argv + 3;
    if (script_argc <= 0) {
      script_argc = 1;
      script_argv = argv;
    }
    run_text(argv[2]);
  } else {
    int fd = 0;
    script_argc = argc - 1;
    script_argv = argv + 1;
    if (argc >= 2) {
      fd = open(argv[1], O_RDONLY);
      if (fd < 0) {
        fail(argv[1], strerror(errno));
        return 127;
      }
    } else {
      script_argc = 1;
      script_argv = argv;
    }
    text = read_all(fd);
    if (!text) return 2;
    run_text(text);
  }
  fflush(stdout);
  return last_status;
}
