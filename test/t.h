/*
 * t.h - the tiny unit-test harness every C test program uses.
 *
 *   static void t_fx_parse(void) { T_EQ_I(fx_parse(...), 0); T_CHECK(x > 0); }
 *   int main(void) { T_RUN(t_fx_parse); return t_done(); }
 *
 * Each T_RUN prints "ok NAME" or "not ok NAME - file:line: what" (the format
 * test/run.sh counts).  A failed check does not stop the case, so one run
 * reports every broken assertion.
 */
#ifndef MP_T_H
#define MP_T_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int t_case_failed, t_total_failed, t_total_run;
static char t_first_fail[512];

static inline void
t_fail(const char *file, int line, const char *what)
{
	if (!t_case_failed)
		snprintf(t_first_fail, sizeof t_first_fail, "%s:%d: %s", file, line, what);
	fprintf(stderr, "  %s:%d: check failed: %s\n", file, line, what);
	t_case_failed++;
}

#define T_CHECK(c) do { if (!(c)) t_fail(__FILE__, __LINE__, #c); } while (0)
#define T_EQ_I(a, b) do { long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
	if (t_a_ != t_b_) { char t_m_[384]; snprintf(t_m_, sizeof t_m_, "%s == %s (%lld != %lld)", #a, #b, t_a_, t_b_); \
	t_fail(__FILE__, __LINE__, t_m_); } } while (0)
#define T_EQ_U(a, b) do { unsigned long long t_a_ = (unsigned long long)(a), t_b_ = (unsigned long long)(b); \
	if (t_a_ != t_b_) { char t_m_[384]; snprintf(t_m_, sizeof t_m_, "%s == %s (%llu != %llu)", #a, #b, t_a_, t_b_); \
	t_fail(__FILE__, __LINE__, t_m_); } } while (0)
#define T_EQ_S(a, b) do { const char *t_a_ = (a), *t_b_ = (b); \
	if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) { char t_m_[384]; \
	snprintf(t_m_, sizeof t_m_, "%s == %s (\"%.150s\" != \"%.150s\")", #a, #b, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); \
	t_fail(__FILE__, __LINE__, t_m_); } } while (0)

#define T_RUN(fn) do { t_case_failed = 0; t_total_run++; fn(); \
	if (t_case_failed) { t_total_failed++; printf("not ok %s - %s\n", #fn, t_first_fail); } \
	else { printf("ok %s\n", #fn); } \
	fflush(stdout); } while (0)

static inline int
t_done(void)
{
	return t_total_failed ? 1 : 0;
}

#endif
