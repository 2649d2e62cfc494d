# USB keyboard latency against PS/2 in one boot (test/bench/usb_latency.py,
# docs/usb.md): in-guest TSC cycles, the ratio from one boot, budget 1.5x.

BENCH_TARGETS += bench-usb

.PHONY: bench-usb
bench-usb: $(BUILD)/ember.img ## USB vs PS/2 key press to shell echo (median ratio <= 1.5)
	@$(PYTHON) test/bench/usb_latency.py --image $(BUILD)/ember.img
