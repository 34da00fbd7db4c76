/*
 * crc32: CRC-32 (IEEE 802.3, reflected 0xEDB88320) over a 64 KiB buffer,
 * bitwise (shift/xor loop per bit) and table driven (one lookup per byte).
 * Self-check: both methods agree, and CRC("123456789") = 0xCBF43926.
 */
#include "bench.h"

const char kernel_name[] = "crc32";

#define BUF_SIZE   (64 * 1024)
#define BIT_PASSES (64 * SCALE)
#define TAB_PASSES (384 * SCALE)

static uint8_t buf[BUF_SIZE];
static uint32_t table[256];

static uint32_t __attribute__((noinline)) crc32_bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
        }
    }
    return ~crc;
}

static void crc32_init_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        }
        table[i] = c;
    }
}

static uint32_t __attribute__((noinline)) crc32_table(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

void kmain(void)
{
    uint32_t seed = 12345, ck = CK_INIT, a = 0, b = 0;

    crc32_init_table();
    check("crc32.bitwise.check", crc32_bitwise(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    check("crc32.table.check", crc32_table(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
    for (int i = 0; i < BUF_SIZE; i++) {
        buf[i] = (uint8_t)(lcg_next(&seed) >> 24);
    }
    for (int pass = 0; pass < BIT_PASSES; pass++) {
        a = crc32_bitwise(a, buf, BUF_SIZE);
        ck = ck_mix(ck, a);
        buf[pass & (BUF_SIZE - 1)] ^= (uint8_t)a;   /* vary the input */
    }
    for (int i = 0; i < BUF_SIZE; i++) {
        buf[i] = (uint8_t)(lcg_next(&seed) >> 24);
    }
    for (int pass = 0; pass < TAB_PASSES; pass++) {
        b = crc32_table(b, buf, BUF_SIZE);
        ck = ck_mix(ck, b);
        buf[pass & (BUF_SIZE - 1)] ^= (uint8_t)b;
    }
    /* both methods agree on the final buffer */
    check("crc32.agree", crc32_bitwise(0, buf, 4096), crc32_table(0, buf, 4096));
    bench_report("crc32", ck);
}
