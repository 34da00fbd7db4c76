/*
 * coremark: a CoreMark-like mix (not the EEMBC code, same ingredients):
 *   list    - linked list of (data, idx) records: find, reverse, merge sort
 *   matrix  - 16-bit matrices: add/multiply by constant, matrix x vector,
 *             matrix x matrix, with bit-field extraction of the results
 *   state   - a state machine classifying comma separated tokens
 *             (integers, decimals, exponents, invalid)
 *   crc     - CRC-16 folding of every result
 * Self-check: the sorted list is ordered and complete.
 */
#include "bench.h"

const char kernel_name[] = "coremark";

#define ITERS      (800 * SCALE)
#define LIST_N     200
#define MAT_N      20
#define STATE_LEN  1024

/* --- CRC-16 (CCITT, bitwise, as in CoreMark's crcu16) -------------------- */
static uint16_t crc16_u8(uint8_t data, uint16_t crc)
{
    for (int i = 0; i < 8; i++) {
        uint8_t x16 = (uint8_t)((data & 1) ^ ((uint8_t)crc & 1));
        data >>= 1;
        if (x16 == 1) {
            crc ^= 0x4002;
            crc = (uint16_t)((crc >> 1) | 0x8000);
        } else {
            crc >>= 1;
        }
    }
    return crc;
}
static uint16_t crc16_u16(uint16_t v, uint16_t crc)
{
    crc = crc16_u8((uint8_t)v, crc);
    return crc16_u8((uint8_t)(v >> 8), crc);
}
static uint16_t crc16_u32(uint32_t v, uint16_t crc)
{
    crc = crc16_u16((uint16_t)v, crc);
    return crc16_u16((uint16_t)(v >> 16), crc);
}

/* --- list -------------------------------------------------------------- */
typedef struct Node {
    struct Node *next;
    int16_t data, idx;
} Node;

static Node pool[LIST_N];

static Node *list_build(uint32_t *seed)
{
    Node *head = NULL;
    for (int i = LIST_N - 1; i >= 0; i--) {
        pool[i].data = (int16_t)(lcg_next(seed) >> 17);
        pool[i].idx = (int16_t)i;
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static Node *list_reverse(Node *l)
{
    Node *r = NULL;
    while (l) {
        Node *n = l->next;
        l->next = r;
        r = l;
        l = n;
    }
    return r;
}

static Node *list_find(Node *l, int16_t data)
{
    while (l && l->data != data) {
        l = l->next;
    }
    return l;
}

typedef int (*cmp_fn)(const Node *a, const Node *b);
static int cmp_data(const Node *a, const Node *b)
{
    return a->data != b->data ? a->data - b->data : a->idx - b->idx;
}
static int cmp_idx(const Node *a, const Node *b)
{
    return a->idx - b->idx;
}

/* Bottom-up merge sort of a singly linked list (CoreMark's core_list_mergesort). */
static Node *__attribute__((noinline)) list_mergesort(Node *list, cmp_fn cmp)
{
    int insize = 1;
    for (;;) {
        Node *p = list, *tail = NULL;
        int nmerges = 0;
        list = NULL;
        while (p) {
            Node *q = p;
            int psize = 0, qsize;
            nmerges++;
            for (int i = 0; i < insize && q; i++) {
                psize++;
                q = q->next;
            }
            qsize = insize;
            while (psize > 0 || (qsize > 0 && q)) {
                Node *e;
                if (psize == 0) {
                    e = q; q = q->next; qsize--;
                } else if (qsize == 0 || !q) {
                    e = p; p = p->next; psize--;
                } else if (cmp(p, q) <= 0) {
                    e = p; p = p->next; psize--;
                } else {
                    e = q; q = q->next; qsize--;
                }
                if (tail) {
                    tail->next = e;
                } else {
                    list = e;
                }
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (nmerges <= 1) {
            return list;
        }
        insize *= 2;
    }
}

static uint16_t bench_list(Node **lp, uint32_t iter, uint16_t crc, int *bad)
{
    Node *l = *lp;
    int found = 0, missed = 0;
    for (int i = 0; i < 16; i++) {
        Node *f = list_find(l, (int16_t)((iter * 131 + i * 977) & 0x7fff));
        if (f) {
            found++;
            crc = crc16_u16((uint16_t)f->idx, crc);
        } else {
            missed++;
        }
        l = list_reverse(l);
    }
    l = list_mergesort(l, cmp_data);
    int n = 0;
    for (Node *p = l; p; p = p->next, n++) {
        if (p->next && cmp_data(p, p->next) > 0) {
            (*bad)++;
        }
        if ((n & 15) == 0) {
            crc = crc16_u16((uint16_t)p->data, crc);
        }
        p->data = (int16_t)((p->data * 3 + iter) & 0x7fff);   /* new data */
    }
    if (n != LIST_N) {
        (*bad)++;
    }
    l = list_mergesort(l, cmp_idx);
    crc = crc16_u16((uint16_t)(found * 256 + missed), crc);
    *lp = l;
    return crc;
}

/* --- matrix --------------------------------------------------------------- */
static int16_t ma[MAT_N * MAT_N], mb[MAT_N * MAT_N];
static int32_t mc[MAT_N * MAT_N];

static uint16_t matrix_sum(int32_t clip)
{
    int32_t tmp = 0, prev = 0, cur;
    uint16_t ret = 0;
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        cur = mc[i];
        tmp += cur;
        if (tmp > clip) {
            ret += 10;
            tmp = 0;
        } else {
            ret += (cur > prev) ? 1 : 0;
        }
        prev = cur;
    }
    return ret;
}

static void __attribute__((noinline)) mat_mul_const(int16_t val)
{
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        mc[i] = (int32_t)ma[i] * (int32_t)val;
    }
}
static void __attribute__((noinline)) mat_add_const(int16_t val)
{
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        ma[i] = (int16_t)(ma[i] + val);
    }
}
static void __attribute__((noinline)) mat_mul_vect(void)
{
    for (int i = 0; i < MAT_N; i++) {
        int32_t s = 0;
        for (int j = 0; j < MAT_N; j++) {
            s += (int32_t)ma[i * MAT_N + j] * (int32_t)mb[j];
        }
        mc[i] = s;
    }
}
static void __attribute__((noinline)) mat_mul_mat(void)
{
    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++) {
                s += (int32_t)ma[i * MAT_N + k] * (int32_t)mb[k * MAT_N + j];
            }
            mc[i * MAT_N + j] = s;
        }
    }
}
static void __attribute__((noinline)) mat_mul_mat_bitextract(void)
{
    for (int i = 0; i < MAT_N; i++) {
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++) {
                int32_t t = (int32_t)ma[i * MAT_N + k] * (int32_t)mb[k * MAT_N + j];
                s += ((t >> 2) & 0xf) * ((t >> 5) & 0x7f);
            }
            mc[i * MAT_N + j] = s;
        }
    }
}

static uint16_t bench_matrix(uint32_t iter, uint16_t crc)
{
    int16_t val = (int16_t)(iter | 0xf000);
    mat_add_const(val);
    mat_mul_const(val);
    crc = crc16_u16(matrix_sum(0x7fff), crc);
    mat_mul_vect();
    crc = crc16_u16(matrix_sum(0x7fff), crc);
    mat_mul_mat();
    crc = crc16_u16(matrix_sum(0x7fff), crc);
    mat_mul_mat_bitextract();
    crc = crc16_u16(matrix_sum(0x7fff), crc);
    mat_add_const((int16_t)-val);
    return crc;
}

/* --- state machine ------------------------------------------------------- */
enum { S_START, S_INVALID, S_S1, S_S2, S_INT, S_FLOAT, S_EXPONENT, S_SCIENTIFIC, NSTATES };

static char sinput[STATE_LEN + 1];

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Classify one token starting at *p; advance past its comma. */
static int __attribute__((noinline)) state_step(const char **pp, uint32_t *transitions)
{
    const char *p = *pp;
    int st = S_START;
    for (; *p && st != S_INVALID; p++) {
        char c = *p;
        if (c == ',') {
            p++;
            break;
        }
        switch (st) {
        case S_START:
            if (is_digit(c)) st = S_INT;
            else if (c == '+' || c == '-') st = S_S1;
            else if (c == '.') st = S_FLOAT;
            else { st = S_INVALID; transitions[S_INVALID]++; }
            transitions[S_START]++;
            break;
        case S_S1:
            if (is_digit(c)) { st = S_INT; transitions[S_S1]++; }
            else if (c == '.') { st = S_FLOAT; transitions[S_S1]++; }
            else { st = S_INVALID; transitions[S_S1]++; }
            break;
        case S_INT:
            if (c == '.') { st = S_FLOAT; transitions[S_INT]++; }
            else if (!is_digit(c)) { st = S_INVALID; transitions[S_INT]++; }
            break;
        case S_FLOAT:
            if (c == 'E' || c == 'e') { st = S_S2; transitions[S_FLOAT]++; }
            else if (!is_digit(c)) { st = S_INVALID; transitions[S_FLOAT]++; }
            break;
        case S_S2:
            if (c == '+' || c == '-') { st = S_EXPONENT; transitions[S_S2]++; }
            else { st = S_INVALID; transitions[S_S2]++; }
            break;
        case S_EXPONENT:
            if (is_digit(c)) { st = S_SCIENTIFIC; transitions[S_EXPONENT]++; }
            else { st = S_INVALID; transitions[S_EXPONENT]++; }
            break;
        case S_SCIENTIFIC:
            if (!is_digit(c)) { st = S_INVALID; transitions[S_INVALID]++; }
            break;
        }
    }
    /* skip the rest of an invalid token */
    while (*p && p[-1] != ',') {
        p++;
    }
    *pp = p;
    return st;
}

static uint16_t bench_state(uint32_t iter, uint16_t crc)
{
    uint32_t final[NSTATES] = {0}, trans[NSTATES] = {0};
    const char *p = sinput;
    while (*p) {
        final[state_step(&p, trans)]++;
    }
    for (int i = 0; i < NSTATES; i++) {
        crc = crc16_u32(final[i], crc);
        crc = crc16_u32(trans[i], crc);
    }
    /* corrupt some characters for the next round, like CoreMark */
    for (int i = (int)(iter % 7); i < STATE_LEN; i += 97) {
        if (sinput[i] != ',') {
            sinput[i] ^= 1;
        }
    }
    return crc;
}

static void state_init(uint32_t *seed)
{
    static const char *const toks[] = {
        "5012", "1234", "-874", "+122", "35.54400", ".1234500", "-110.700",
        "+0.64400", "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12", "T0.3e-1F",
        "-T.T++Tq", "1T3.4e4z", "34.0e-T^",
    };
    int pos = 0;
    while (pos < STATE_LEN - 10) {
        const char *t = toks[(lcg_next(seed) >> 16) & 15];
        while (*t && pos < STATE_LEN - 1) {
            sinput[pos++] = *t++;
        }
        sinput[pos++] = ',';
    }
    sinput[pos] = 0;
}

void kmain(void)
{
    uint32_t seed = 0x66, ck = CK_INIT;
    uint16_t crc = 0;
    int bad = 0;
    Node *list = list_build(&seed);

    for (int i = 0; i < MAT_N * MAT_N; i++) {
        ma[i] = (int16_t)((lcg_next(&seed) >> 20) - 2048);
        mb[i] = (int16_t)((lcg_next(&seed) >> 20) - 2048);
    }
    state_init(&seed);
    for (uint32_t it = 0; it < ITERS; it++) {
        crc = bench_list(&list, it, crc, &bad);
        crc = bench_matrix(it, crc);
        crc = bench_state(it, crc);
        ck = ck_mix(ck, crc);
    }
    check("coremark.list_sorted", (uint32_t)bad, 0);
    bench_report("coremark", ck);
}
