/*
 * hamt86 - unit tests for core/fmt.c (h_snprintf against the C library's
 * snprintf) and core/log.c (-d item and -dfilter range parsing).
 * Hosted test program: exit status 0 when every check passes.
 */
#include <stdio.h>
#include <string.h>

#include "core/libc.h"
#include "core/log.h"

static int failures;

/* Compare h_snprintf with snprintf for one format. */
#define CHECK_FMT(...) do { \
    char a[256], b[256]; \
    int na = h_snprintf(a, sizeof(a), __VA_ARGS__); \
    int nb = snprintf(b, sizeof(b), __VA_ARGS__); \
    if (na != nb || strcmp(a, b) != 0) { \
        printf("FAIL fmt %s: got '%s' (%d) want '%s' (%d)\n", #__VA_ARGS__, \
               a, na, b, nb); \
        failures++; \
    } \
} while (0)

/* Check one boolean condition. */
#define CHECK(cond) do { \
    if (!(cond)) { \
        printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
        failures++; \
    } \
} while (0)

/* printf conversions, flags, widths and lengths. */
static void test_fmt(void)
{
    char small[8];
    int n;

    CHECK_FMT("%d %i %u", 0, -12345, 4000000000u);
    CHECK_FMT("%x %X %o %#x %#o %#X", 0xbeefu, 0xabcdefu, 8u, 0x1234u, 8u, 0xffu);
    CHECK_FMT("%08x|%-8x|%8x|%.4x", 0x1234u, 0x1234u, 0x1234u, 0x12u);
    CHECK_FMT("%+d % d %+d % d %05d %-5d| %.3d %8.3d %-8.3d|", 42, 42, -42, -42,
              -42, 42, 7, -7, 7);
    CHECK_FMT("%c|%5c|%-5c|", 'Z', 'a', 'b');
    CHECK_FMT("%s|%10s|%-10s|%.2s|%*s|%-*s|%.*s", "str", "str", "str", "str",
              6, "ab", 6, "ab", 1, "xyz");
    CHECK_FMT("%lld %llx %lu %ld", -1234567890123ll, 0x123456789abcdefull,
              123456789012ul, -5l);
    CHECK_FMT("%zu %zx %td %jd %ju", (size_t)123, (size_t)0xfff, (ptrdiff_t)-9,
              (intmax_t)-77, (uintmax_t)77);
    CHECK_FMT("%hhd %hhu %hd %hu %hhx", 300, 300, 70000, 70000, 0x1ff);
    CHECK_FMT("%%|%5%|%d%%", 5);
    CHECK_FMT("%p", (void *)0x1234);
    CHECK_FMT("%.0d|%.0x|%#.0o", 0, 0u, 0u);
    CHECK_FMT("%d %d", -2147483647 - 1, 2147483647);
    /* truncation: C99 return value, NUL-terminated */
    n = h_snprintf(small, sizeof(small), "%s", "0123456789");
    CHECK(n == 10 && strcmp(small, "0123456") == 0);
    n = h_snprintf(NULL, 0, "%d", 12345);
    CHECK(n == 5);
}

/* -d item lists. */
static void test_log_mask(void)
{
    uint32_t m = 0;
    const char *bad = NULL;
    size_t badlen = 0;

    CHECK(log_parse_mask("in_asm,ir,ir_opt,out_asm", &m, &bad, &badlen));
    CHECK(m == (LOG_IN_ASM | LOG_IR | LOG_IR_OPT | LOG_OUT_ASM));
    CHECK(log_parse_mask("mmu,int,exec,unimp,nochain,cpu", &m, &bad, &badlen));
    CHECK(m == (LOG_MMU | LOG_INT | LOG_EXEC | LOG_UNIMP | LOG_NOCHAIN | LOG_CPU));
    CHECK(log_parse_mask("", &m, &bad, &badlen) && m == 0);
    CHECK(log_parse_mask("all", &m, &bad, &badlen) && (m & LOG_EXEC) &&
          !(m & LOG_NOCHAIN));
    CHECK(!log_parse_mask("in_asm,bogus,exec", &m, &bad, &badlen));
    CHECK(badlen == 5 && strncmp(bad, "bogus", 5) == 0);
    CHECK(!log_parse_mask("in_as", &m, &bad, &badlen));
}

/* -dfilter ranges. */
static void test_log_filter(void)
{
    CHECK(log_in_filter(0x12345678));   /* no filter: everything */
    CHECK(log_parse_filter("0x1000..0x2000"));
    CHECK(log_in_filter(0x1000) && log_in_filter(0x2000));
    CHECK(!log_in_filter(0xfff) && !log_in_filter(0x2001));
    CHECK(log_parse_filter("0x1000+0x20,0x5000,4096-16"));
    CHECK(log_in_filter(0x1000) && log_in_filter(0x101f));
    CHECK(!log_in_filter(0x1020));
    CHECK(log_in_filter(0x5000) && !log_in_filter(0x5001));
    CHECK(log_in_filter(0xff0) && log_in_filter(0xfff));
    CHECK(!log_parse_filter("0x2000..0x1000"));
    CHECK(!log_parse_filter("zz"));
    CHECK(!log_parse_filter("0x1000+0"));
    CHECK(!log_parse_filter("0x100000000"));
    CHECK(!log_parse_filter("0x1000..0x2000x"));
    CHECK(log_parse_filter(""));
    CHECK(log_in_filter(0x42));
}

int main(void)
{
    test_fmt();
    test_log_mask();
    test_log_filter();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
