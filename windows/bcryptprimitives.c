/* bcryptprimitives.c -- a test-only stand-in for Windows' bcryptprimitives.dll,
 * which Wine 8 (Debian 12) lacks and the Go runtime loads at start to get
 * random bytes (ProcessPrng).  Copied into the Wine prefix's system32 by
 * mk/windows.mk; never shipped.  See DESIGN.md pitfall 6. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
