# tools/mpexport: deep-learning arrays (.npy + metadata.json) from the local store.
# MPX_SRCS is the engine without main.c (the tests and the benchmark link it).
MPX_SRCS := tools/mpexport/export.c tools/mpexport/feat.c tools/mpexport/label.c tools/mpexport/meta.c \
    tools/mpexport/npy.c tools/mpexport/lobster.c tools/mpexport/split.c tools/mpexport/req.c tools/mpexport/spot.c $(ROUTERD_ML_SRCS) \
    $(STORE_READ_SRCS) $(BOOK_ENGINE_SRCS)
$(eval $(call prog,mpexport,tools/mpexport/main.c $(MPX_SRCS),libzstd jansson inih))
