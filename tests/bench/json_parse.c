/* make bench helper: what jansson alone costs on a journal — every line
 * read (getline) and parsed (json_loadb, as jt_journal_each does), nothing
 * written. The report's time can be no lower than this, so bench prints it
 * beside `jouletrace report`. Best of 3 passes; one JSON line on stdout.
 * Usage: json_parse JOURNAL */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One pass: seconds; *records and *bytes counted; parse false: read only. */
static double pass(const char *path, int parse, long *records, long *bytes)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    *records = *bytes = 0;
    double t0 = now();
    while ((len = getline(&line, &cap, f)) > 0) {
        *bytes += len;
        if (!parse) continue;
        json_t *rec = json_loadb(line, (size_t)len, 0, NULL);
        if (!json_is_object(rec)) {
            fprintf(stderr, "%s: record %ld is not a JSON object\n", path, *records + 1);
            exit(1);
        }
        json_decref(rec);
        ++*records;
    }
    double dt = now() - t0;
    free(line);
    fclose(f);
    return dt;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: json_parse JOURNAL\n");
        return 2;
    }
    long records = 0, bytes = 0;
    double best_read = 1e300, best_parse = 1e300;
    for (int k = 0; k < 3; k++) {
        double r = pass(argv[1], 0, &records, &bytes);
        double p = pass(argv[1], 1, &records, &bytes);
        if (r < best_read) best_read = r;
        if (p < best_parse) best_parse = p;
    }
    printf("{\"records\": %ld, \"bytes\": %ld, \"read_seconds\": %.4f, \"parse_seconds\": %.4f}\n",
           records, bytes, best_read, best_parse);
    return 0;
}
