/*
 * OpenBLAS peer for mlm4j's GEMM: times y (n, out) = x (n, in) · Wᵀ with W in PyTorch layout [out, in],
 * i.e. cblas_sgemm(RowMajor, NoTrans, Trans), at the shapes bench/openblas/run.sh passes.
 * Comparison only: never a dependency of mlm4j.
 *
 * usage: sgemm_bench [reps] n,in,out [n,in,out ...]
 * prints one line per shape: openblas NxINxOUT threads=T median=G min=G max=G [cpu-time=G] core=NAME
 * (GFLOP/s; cpu-time, with one thread, is per second of the thread's own CPU time, which other
 * processes taking the core do not dilute)
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *openblas_get_corename(void);
int openblas_get_num_threads(void);

static double clock_s(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s reps n,in,out [n,in,out ...]\n", argv[0]);
        return 2;
    }
    int reps = atoi(argv[1]);
    for (int s = 2; s < argc; s++) {
        int n, in, out;
        if (sscanf(argv[s], "%d,%d,%d", &n, &in, &out) != 3) {
            fprintf(stderr, "bad shape '%s' (want n,in,out)\n", argv[s]);
            return 2;
        }
        float *x = malloc(sizeof(float) * (size_t) n * in);
        float *w = malloc(sizeof(float) * (size_t) out * in);
        float *y = malloc(sizeof(float) * (size_t) n * out);
        srand(42);
        for (size_t i = 0; i < (size_t) n * in; i++) x[i] = rand() / (float) RAND_MAX - 0.5f;
        for (size_t i = 0; i < (size_t) out * in; i++) w[i] = rand() / (float) RAND_MAX - 0.5f;
        memset(y, 0, sizeof(float) * (size_t) n * out);
        double flops = 2.0 * n * in * out;
        /* calls per timed sample: about 20 ms of work at 50 GFLOP/s */
        int calls = (int) (1e9 / flops) + 1;
        for (int w0 = 0; w0 < calls * 3; w0++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0f, x, in, w, in, 0.0f, y, out);
        double *g = malloc(sizeof(double) * reps), *cpu = malloc(sizeof(double) * reps);
        for (int r = 0; r < reps; r++) {
            double t0 = now(), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            for (int c = 0; c < calls; c++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0f, x, in, w, in, 0.0f, y, out);
            double c1 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            g[r] = flops * calls / (now() - t0) / 1e9;
            cpu[r] = flops * calls / (c1 - c0) / 1e9;
        }
        qsort(g, reps, sizeof(double), cmp);
        qsort(cpu, reps, sizeof(double), cmp);
        int threads = openblas_get_num_threads();
        printf("openblas %dx%dx%d threads=%d median=%.1f min=%.1f max=%.1f", n, in, out, threads, g[reps / 2], g[0], g[reps - 1]);
        /* with one thread the calling thread does all the work: GFLOP/s per second of its own CPU time */
        if (threads == 1) printf(" cpu-time=%.1f", cpu[reps / 2]);
        printf(" core=%s\n", openblas_get_corename());
        fflush(stdout);
        free(g); free(cpu); free(x); free(w); free(y);
    }
    return 0;
}
