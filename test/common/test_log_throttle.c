/* test_log_throttle.c - common/log_throttle.c: first line through, repeats
 * held back and counted, another key through at once, the count at the end. */
#include <time.h>

#include "../t.h"
#include "log_throttle.h"

static void
t_repeats_held_and_counted(void)
{
	struct log_throttle t = LOG_THROTTLE_INIT(3600LL * 1000000000LL);
	uint64_t held = 99;

	T_EQ_I(log_throttle_end(&t), 0);
	T_EQ_I(log_throttle(&t, "No space left on device", &held), 1);
	T_EQ_U(held, 0);
	for (int i = 0; i < 50; i++)
		T_EQ_I(log_throttle(&t, "No space left on device", &held), 0);
	/* Another error text is news: written at once, with the held count. */
	T_EQ_I(log_throttle(&t, "Read-only file system", &held), 1);
	T_EQ_U(held, 50);
	T_EQ_I(log_throttle(&t, "Read-only file system", &held), 0);
	T_EQ_U(log_throttle_end(&t), 53);
	/* After the end, the next trouble is logged at once again. */
	T_EQ_I(log_throttle(&t, "Read-only file system", &held), 1);
	T_EQ_U(held, 0);
}

static void
t_interval_lets_one_through(void)
{
	struct log_throttle t = LOG_THROTTLE_INIT(20LL * 1000000);   /* 20 ms */
	struct timespec ts = {0, 30 * 1000000};
	uint64_t held = 0;

	T_EQ_I(log_throttle(&t, NULL, &held), 1);
	T_EQ_I(log_throttle(&t, NULL, &held), 0);
	T_EQ_I(log_throttle(&t, NULL, &held), 0);
	nanosleep(&ts, NULL);           /* longer than the interval: the test cannot pass early */
	T_EQ_I(log_throttle(&t, NULL, &held), 1);
	T_EQ_U(held, 2);
}

int
main(void)
{
	T_RUN(t_repeats_held_and_counted);
	T_RUN(t_interval_lets_one_through);
	return t_done();
}
