/*
 * hamt86 - logging: the -d mask, -dfilter EIP ranges and hlog().
 *
 * All log output goes to log_fd (stderr unless -D names a file; the front
 * end opens it).  hlog formats through h_vsnprintf into a stack buffer and
 * writes it with one os_write, so lines from one call are never split.
 */
#include "core/log.h"
#include "core/libc.h"
#include "core/os.h"

uint32_t log_mask;
int log_fd = 2;

/* -d items, in the order "-d help" prints them. */
static const struct {
    const char *name;
    uint32_t mask;
    const char *help;
} log_items[] = {
    { "in_asm",  LOG_IN_ASM,  "show the guest instructions of each new TB" },
    { "ir",      LOG_IR,      "show the IR of each new TB" },
    { "ir_opt",  LOG_IR_OPT,  "show the IR after optimisation" },
    { "out_asm", LOG_OUT_ASM, "show the generated host code" },
    { "mmu",     LOG_MMU,     "log MMU activity" },
    { "int",     LOG_INT,     "log interrupts and exceptions" },
    { "exec",    LOG_EXEC,    "log every TB execution" },
    { "unimp",   LOG_UNIMP,   "log unimplemented instructions and features" },
    { "nochain", LOG_NOCHAIN, "do not chain TBs (not a log)" },
    { "cpu",     LOG_CPU,     "dump the CPU registers at each TB entry (with exec)" },
    { "ioport",  LOG_IOPORT,  "log port reads and writes of devices (port, value, device)" },
    { "walk",    LOG_WALK,    "log every guest page walk and its result (verbose)" },
};

/* Parse a comma separated item list; "all" selects every log. */
bool log_parse_mask(const char *s, uint32_t *mask, const char **bad,
                    size_t *badlen)
{
    uint32_t m = 0;

    while (*s) {
        const char *e = s;
        size_t len;
        bool found = false;

        while (*e && *e != ',') {
            e++;
        }
        len = (size_t)(e - s);
        if (len == 3 && strncmp(s, "all", 3) == 0) {
            for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
                if (log_items[i].mask != LOG_NOCHAIN) {
                    m |= log_items[i].mask;
                }
            }
            found = true;
        }
        for (size_t i = 0; !found && i < ARRAY_SIZE(log_items); i++) {
            if (strlen(log_items[i].name) == len &&
                strncmp(log_items[i].name, s, len) == 0) {
                m |= log_items[i].mask;
                found = true;
            }
        }
        if (!found && len > 0) {
            if (bad) {
                *bad = s;
            }
            if (badlen) {
                *badlen = len;
            }
            return false;
        }
        s = *e ? e + 1 : e;
    }
    *mask = m;
    return true;
}

/* Print the -d item list (for "-d help"). */
void log_print_help(int fd)
{
    char line[128];
    int n;

    n = h_snprintf(line, sizeof(line), "Log items (comma separated):\n");
    os_write(fd, line, (size_t)n);
    for (size_t i = 0; i < ARRAY_SIZE(log_items); i++) {
        n = h_snprintf(line, sizeof(line), "  %-8s %s\n", log_items[i].name,
                       log_items[i].help);
        os_write(fd, line, (size_t)n);
    }
    n = h_snprintf(line, sizeof(line), "  %-8s %s\n", "all",
                   "every log above except nochain");
    os_write(fd, line, (size_t)n);
}

static LogSymbolLookup log_symbol_lookup;

/* Register the guest symbol lookup (NULL: none). */
void log_set_symbol_lookup(LogSymbolLookup fn)
{
    log_symbol_lookup = fn;
}

/* " <name+0xoff>" (" <name>" at offset 0) for addr, or "". */
const char *log_sym(uint32_t addr, char *buf, size_t size)
{
    const char *name;
    uint32_t off;

    buf[0] = '\0';
    if (log_symbol_lookup != NULL && log_symbol_lookup(addr, &name, &off)) {
        if (off != 0) {
            h_snprintf(buf, size, " <%s+0x%x>", name, off);
        } else {
            h_snprintf(buf, size, " <%s>", name);
        }
    }
    return buf;
}

/* -dfilter ranges: [start, end] inclusive. */
#define LOG_MAX_RANGES 16
static struct {
    uint32_t start, end;
} log_ranges[LOG_MAX_RANGES];
static unsigned log_nranges;

/* Parse an unsigned number (0x hex, 0 octal-free: decimal otherwise). */
static bool parse_u32(const char **ps, const char *end, uint32_t *out)
{
    const char *s = *ps;
    uint64_t v = 0;
    unsigned base = 10;
    int nd = 0;

    if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    while (s < end) {
        char c = *s;
        unsigned d;
        if (c >= '0' && c <= '9') {
            d = (unsigned)(c - '0');
        } else if (base == 16 && c >= 'a' && c <= 'f') {
            d = (unsigned)(c - 'a' + 10);
        } else if (base == 16 && c >= 'A' && c <= 'F') {
            d = (unsigned)(c - 'A' + 10);
        } else {
            break;
        }
        if (d >= base) {
            break;
        }
        v = v * base + d;
        if (v > 0xffffffffull) {
            return false;
        }
        s++;
        nd++;
    }
    if (nd == 0) {
        return false;
    }
    *ps = s;
    *out = (uint32_t)v;
    return true;
}

/*
 * Parse "-dfilter" ranges, comma separated:
 *   0x1000..0x2000   inclusive range
 *   0x1000+0x20      start and length
 *   0x1000-0x20      the 0x20 bytes ending before 0x1000 (QEMU's form)
 *   0x1000           one address
 */
bool log_parse_filter(const char *s)
{
    unsigned n = 0;

    while (*s) {
        const char *e = s;
        uint32_t a, b;

        while (*e && *e != ',') {
            e++;
        }
        if (n == LOG_MAX_RANGES || !parse_u32(&s, e, &a)) {
            return false;
        }
        if (s == e) {
            b = a;
        } else if (e - s > 2 && s[0] == '.' && s[1] == '.') {
            s += 2;
            if (!parse_u32(&s, e, &b) || b < a) {
                return false;
            }
        } else if (s[0] == '+' || s[0] == '-') {
            char op = s[0];
            uint32_t len;
            s++;
            if (!parse_u32(&s, e, &len) || len == 0) {
                return false;
            }
            if (op == '+') {
                if (len - 1 > 0xffffffffu - a) {
                    return false;
                }
                b = a + (len - 1);
            } else {
                if (len > a) {
                    return false;
                }
                b = a - 1;
                a = a - len;
            }
        } else {
            return false;
        }
        if (s != e) {
            return false;
        }
        log_ranges[n].start = a;
        log_ranges[n].end = b;
        n++;
        s = *e ? e + 1 : e;
    }
    log_nranges = n;
    return true;
}

/* True when eip is inside a -dfilter range (or no filter is set). */
bool log_in_filter(uint32_t eip)
{
    if (log_nranges == 0) {
        return true;
    }
    for (unsigned i = 0; i < log_nranges; i++) {
        if (eip >= log_ranges[i].start && eip <= log_ranges[i].end) {
            return true;
        }
    }
    return false;
}

/* Formatted log output (lines longer than the buffer are truncated). */
void hlog(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = h_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(buf)) {
        n = sizeof(buf) - 1;
    }
    if (n > 0) {
        os_write(log_fd, buf, (size_t)n);
    }
}

/* Hex bytes separated by spaces, no newline. */
void hlog_bytes(const uint8_t *p, size_t n)
{
    char buf[3 * 32 + 1];
    size_t pos = 0;

    for (size_t i = 0; i < n; i++) {
        if (pos + 4 > sizeof(buf)) {
            os_write(log_fd, buf, pos);
            pos = 0;
        }
        pos += (size_t)h_snprintf(buf + pos, sizeof(buf) - pos,
                                  i ? " %02x" : "%02x", p[i]);
    }
    if (pos) {
        os_write(log_fd, buf, pos);
    }
}

/* "hamt86: [where: ]<message>" as one write on stderr (the console on
 * bare metal); a message that does not fit is cut. */
void os_verror(const char *where, const char *fmt, va_list ap)
{
    char buf[1024];
    int n;

    n = where ? h_snprintf(buf, sizeof(buf), "hamt86: %s: ", where)
              : h_snprintf(buf, sizeof(buf), "hamt86: ");
    if (n < 0 || (size_t)n >= sizeof(buf) - 1) {
        n = 0;
    }
    h_vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
    n = (int)strlen(buf);
    buf[n++] = '\n';
    os_write(2, buf, (size_t)n);
}

/* os_verror, then exit: one definition over every OS layer. */
void os_fatal(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    os_verror(NULL, fmt, ap);
    va_end(ap);
    os_exit(code);
}
