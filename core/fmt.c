/*
 * hamt86 - h_vsnprintf: the printf subset every host formats identically.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%
 * Flags:       '-' left-justify, '0' zero pad, '+' and ' ' sign, '#' 0x / 0
 * Width and precision, either may be '*'.
 * Lengths:     hh h l ll z t j
 * The return value is the length the full output would have (C99), the
 * buffer always ends in NUL when size > 0.
 */
#include "core/libc.h"

#define FL_LEFT  0x01
#define FL_ZERO  0x02
#define FL_PLUS  0x04
#define FL_SPACE 0x08
#define FL_ALT   0x10

typedef struct FmtOut {
    char *buf;
    size_t size;
    size_t pos;
} FmtOut;

/* Append one character (counted even when it does not fit). */
static void out_c(FmtOut *o, char c)
{
    if (o->pos + 1 < o->size) {
        o->buf[o->pos] = c;
    }
    o->pos++;
}

/* Append c n times. */
static void out_pad(FmtOut *o, char c, int n)
{
    while (n-- > 0) {
        out_c(o, c);
    }
}

/* Format one integer conversion. */
static void out_num(FmtOut *o, unsigned long long v, bool neg, unsigned base,
                    bool upper, int flags, int width, int prec)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int nd = 0, len, zeros = 0;
    const char *prefix = "";
    int plen;

    /* digits, least significant first */
    while (v != 0) {
        tmp[nd++] = digits[v % base];
        v /= base;
    }
    if (prec < 0) {
        prec = 1;
    } else {
        flags &= ~FL_ZERO;   /* a precision disables '0' for integers */
    }
    if (nd < prec) {
        zeros = prec - nd;
    }
    if (neg) {
        prefix = "-";
    } else if (flags & FL_PLUS) {
        prefix = "+";
    } else if (flags & FL_SPACE) {
        prefix = " ";
    }
    if ((flags & FL_ALT) && base == 16 && nd > 0) {
        prefix = upper ? "0X" : "0x";
    }
    if ((flags & FL_ALT) && base == 8 && zeros == 0) {
        zeros = 1;   /* octal '#': the first digit is always 0 */
    }
    plen = (int)strlen(prefix);
    len = plen + zeros + nd;
    if (!(flags & FL_LEFT) && !(flags & FL_ZERO)) {
        out_pad(o, ' ', width - len);
    }
    while (*prefix) {
        out_c(o, *prefix++);
    }
    if (!(flags & FL_LEFT) && (flags & FL_ZERO)) {
        out_pad(o, '0', width - len);
    }
    out_pad(o, '0', zeros);
    while (nd > 0) {
        out_c(o, tmp[--nd]);
    }
    if (flags & FL_LEFT) {
        out_pad(o, ' ', width - len);
    }
}

/* Format a string with width and precision. */
static void out_str(FmtOut *o, const char *s, int flags, int width, int prec)
{
    int len = 0;

    if (s == NULL) {
        s = "(null)";
    }
    while (s[len] && (prec < 0 || len < prec)) {
        len++;
    }
    if (!(flags & FL_LEFT)) {
        out_pad(o, ' ', width - len);
    }
    for (int i = 0; i < len; i++) {
        out_c(o, s[i]);
    }
    if (flags & FL_LEFT) {
        out_pad(o, ' ', width - len);
    }
}

/* The formatter. */
int h_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    FmtOut o = { buf, size, 0 };
    va_list va;

    va_copy(va, ap);
    while (*fmt) {
        int flags = 0, width = 0, prec = -1, lng = 0;
        char c = *fmt++;

        if (c != '%') {
            out_c(&o, c);
            continue;
        }
        /* flags */
        for (;;) {
            c = *fmt;
            if (c == '-') {
                flags |= FL_LEFT;
            } else if (c == '0') {
                flags |= FL_ZERO;
            } else if (c == '+') {
                flags |= FL_PLUS;
            } else if (c == ' ') {
                flags |= FL_SPACE;
            } else if (c == '#') {
                flags |= FL_ALT;
            } else {
                break;
            }
            fmt++;
        }
        /* width */
        if (*fmt == '*') {
            width = va_arg(va, int);
            if (width < 0) {
                flags |= FL_LEFT;
                width = -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9') {
                width = width * 10 + (*fmt++ - '0');
            }
        }
        /* precision */
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(va, int);
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9') {
                    prec = prec * 10 + (*fmt++ - '0');
                }
            }
        }
        /* length: -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t,
         * 4 ptrdiff_t, 5 intmax_t */
        switch (*fmt) {
        case 'h':
            fmt++;
            lng = -1;
            if (*fmt == 'h') {
                fmt++;
                lng = -2;
            }
            break;
        case 'l':
            fmt++;
            lng = 1;
            if (*fmt == 'l') {
                fmt++;
                lng = 2;
            }
            break;
        case 'z':
            fmt++;
            lng = 3;
            break;
        case 't':
            fmt++;
            lng = 4;
            break;
        case 'j':
            fmt++;
            lng = 5;
            break;
        default:
            break;
        }
        c = *fmt;
        if (c == '\0') {
            break;
        }
        fmt++;
        switch (c) {
        case 'd':
        case 'i': {
            long long v;
            switch (lng) {
            case -2: v = (signed char)va_arg(va, int); break;
            case -1: v = (short)va_arg(va, int); break;
            case 1: v = va_arg(va, long); break;
            case 2: v = va_arg(va, long long); break;
            case 3: v = (long long)va_arg(va, size_t); break;
            case 4: v = va_arg(va, ptrdiff_t); break;
            case 5: v = va_arg(va, intmax_t); break;
            default: v = va_arg(va, int); break;
            }
            out_num(&o, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v,
                    v < 0, 10, false, flags, width, prec);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v;
            switch (lng) {
            case -2: v = (unsigned char)va_arg(va, unsigned); break;
            case -1: v = (unsigned short)va_arg(va, unsigned); break;
            case 1: v = va_arg(va, unsigned long); break;
            case 2: v = va_arg(va, unsigned long long); break;
            case 3: v = va_arg(va, size_t); break;
            case 4: v = (unsigned long long)va_arg(va, ptrdiff_t); break;
            case 5: v = va_arg(va, uintmax_t); break;
            default: v = va_arg(va, unsigned); break;
            }
            out_num(&o, v, false, c == 'u' ? 10 : c == 'o' ? 8 : 16,
                    c == 'X', flags & ~(FL_PLUS | FL_SPACE), width, prec);
            break;
        }
        case 'c': {
            char ch = (char)va_arg(va, int);
            if (!(flags & FL_LEFT)) {
                out_pad(&o, ' ', width - 1);
            }
            out_c(&o, ch);
            if (flags & FL_LEFT) {
                out_pad(&o, ' ', width - 1);
            }
            break;
        }
        case 's':
            out_str(&o, va_arg(va, const char *), flags, width, prec);
            break;
        case 'p':
            out_num(&o, (uintptr_t)va_arg(va, void *), false, 16, false,
                    flags | FL_ALT, width, prec);
            break;
        case '%':
            out_c(&o, '%');
            break;
        default:
            /* unknown conversion: print it verbatim */
            out_c(&o, '%');
            out_c(&o, c);
            break;
        }
    }
    va_end(va);
    if (size > 0) {
        o.buf[o.pos < size ? o.pos : size - 1] = '\0';
    }
    return (int)o.pos;
}

/* snprintf over h_vsnprintf. */
int h_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = h_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
