// Storage class for a kernel's large on-chip arrays. In synthesis they are
// plain locals (BRAM/URAM); in C simulation they are per-thread statics, so
// half a megabyte of tile does not sit on a thread's stack and two threads
// may run the same kernel at once.
#pragma once

#ifdef __SYNTHESIS__
#define SQT_HW_LOCAL
#else
#define SQT_HW_LOCAL thread_local static
#endif
