/* 64-bit FNV-1a (fnv.h). */
#include "jouletrace/fnv.h"

#include <string.h>

uint64_t jt_fnv1a_add(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * JT_FNV1A_PRIME;
    return h;
}

uint64_t jt_fnv1a_adds(uint64_t h, const char *s)
{
    return jt_fnv1a_add(h, s, strlen(s));
}

uint64_t jt_fnv1a(const char *s)
{
    return jt_fnv1a_adds(JT_FNV1A_OFFSET, s);
}

uint64_t jt_id_hash(const char *s)
{
    return jt_fnv1a_adds(JT_ID_HASH_BASIS, s);
}
