# Ember's gdb set-up: the kernel's symbols, QEMU's gdb stub, the helpers in
# ember.py. `make debug` runs gdb with this file after setting $ember_build
# (see docs/debugging.md); by hand:
#   gdb -ex 'set $ember_port = 1234' -x test/gdb/ember.gdb
# The kernel is linked at fixed higher-half addresses, so its symbols need no
# offset. The loader is relocated by the firmware: `ember-loader-symbols`
# reads the "image base" line it printed on the serial log and adds
# build/loader-kernel.so there.
set pagination off
set confirm off
set architecture i386:x86-64
source test/gdb/ember.py
ember-setup
