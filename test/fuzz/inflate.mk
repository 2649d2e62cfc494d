# fuzz_inflate checks lib/inflate.c against zlib's inflate, linked into this
# fuzz target only (the loader and the host test use nothing but lib/).
# Its seeds are written by gen_inflate_corpus.py (make fuzz-corpus).
DEBIAN_PACKAGES += zlib1g-dev
$(DEPS_STAMP): test/fuzz/inflate.mk

fuzz_inflate_LDLIBS := -lz

.PHONY: fuzz-corpus-inflate
fuzz-corpus: fuzz-corpus-inflate
fuzz-corpus-inflate: # rewrite test/fuzz/corpus/inflate/
	$(PYTHON) test/fuzz/gen_inflate_corpus.py test/fuzz/corpus/inflate
