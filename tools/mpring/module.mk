# tools/mpring: the ring inspector (read-only).
$(eval $(call prog,mpring,tools/mpring/main.c tools/mpring/follow.c,inih))
