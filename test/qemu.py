"""QEMU + OVMF boots for Ember's tests.

One class, Boot, starts a headless QEMU (TCG, q35, OVMF with a fresh copy of
its variable store, by default; machine, CPU, firmware, display and serial
can be varied for the boot matrix) on either a disk image or a directory exposed as a FAT
drive, with COM1 on a pipe we read line by line, a QMP socket for
screendump / send-key, and isa-debug-exit so the guest can report a result.
Every boot has a hard timeout: nothing here can wait forever.
"""
import atexit
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time


# Firmware builds: OVMF boots from pflash (code + a fresh copy of its variable
# store); U-Boot's UEFI is a -bios ROM that finds the ESP on a virtio disk.
UBOOT_ROM = "/usr/lib/u-boot/qemu-x86_64/u-boot.rom"

# QEMU's default network card (e1000e on q35, e1000 on pc) stays on the PCI bus
# for the kernel to find, but without its iPXE option ROM: OVMF then loads and
# starts no network driver it never boots from, which saved about 0.5 s of the
# 5-6 s of CPU time a boot to the kernel takes here (docs/testing.md).
NO_NIC_ROM = ["-global", "e1000e.romfile=", "-global", "e1000.romfile="]


class Boot:
    """One QEMU run. The defaults are the everyday machine (q35, OVMF, std VGA,
    COM1 on our pipe); the boot matrix varies them:

      machine  "q35" or "pc" (with its options, e.g. "q35,i8042=off")
      cpu      a -cpu model string ("qemu64,-nx", "max"), None for QEMU's default
      smp      CPU count, None for one
      display  the display arguments (default std VGA; () for none at all)
      serial   False: no COM1 (-serial none); read the screen instead; a string
               is a chardev for COM1 ("file:PATH")
      bios     a -bios ROM (U-Boot) instead of OVMF's pflash pair
      drive_if the disk's interface ("virtio" for U-Boot), None for the default
      nic      False: no network card (QEMU adds one by default, here without
               its option ROM: NO_NIC_ROM)
    """
    def __init__(self, ovmf_code, ovmf_vars, image=None, esp_dir=None, memory="256M",
                 extra=(), timeout=120, accel="tcg", machine="q35", cpu=None, smp=None,
                 display=("-vga", "std"), serial=True, bios=None, drive_if=None, nic=True):
        self.tmp = tempfile.mkdtemp(prefix="ember-qemu-")
        self.esp_dir = esp_dir
        self.qmp_path = os.path.join(self.tmp, "qmp.sock")
        drive = (f"format=raw,file={image},snapshot=on" if image
                 else f"format=raw,file=fat:rw:{esp_dir}")
        if drive_if:
            drive += f",if={drive_if}"
        self.argv = [
            "qemu-system-x86_64", "-machine", machine, "-accel", accel, "-m", memory,
            "-no-reboot", "-display", "none", *display,
            *self._firmware(ovmf_code, ovmf_vars, bios),
            *(["-cpu", cpu] if cpu else []), *(["-smp", str(smp)] if smp else []),
            "-drive", drive,
            "-serial", {True: "stdio", False: "none"}.get(serial, serial), "-monitor", "none",
            *(NO_NIC_ROM if nic else ["-nic", "none"]),
            "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            *extra,
        ]
        self.deadline = time.monotonic() + timeout
        self.lines = []
        self._queue = queue.Queue()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._qmp = None

    def _firmware(self, ovmf_code, ovmf_vars, bios):
        if bios:
            return ["-bios", bios]
        vars_copy = os.path.join(self.tmp, "vars.fd")
        shutil.copyfile(ovmf_vars, vars_copy)
        return ["-drive", f"if=pflash,format=raw,readonly=on,file={ovmf_code}",
                "-drive", f"if=pflash,format=raw,file={vars_copy}"]

    def _read(self):
        buf = b""
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self._queue.put(line.decode("utf-8", "replace").rstrip("\r"))
        if buf:
            self._queue.put(buf.decode("utf-8", "replace"))
        self._queue.put(None)

    def next_line(self, timeout):
        """The next serial line, or None at EOF; raises TimeoutError."""
        limit = min(timeout, self.deadline - time.monotonic())
        if limit <= 0:
            raise TimeoutError("boot deadline")
        try:
            line = self._queue.get(timeout=limit)
        except queue.Empty:
            raise TimeoutError("no serial output") from None
        if line is not None:
            self.lines.append(line)
        return line

    def wait_for(self, text, timeout):
        """Read lines until one contains text; True if found before timeout/EOF."""
        return self.wait_match(re.escape(text), timeout) is not None

    def wait_match(self, pattern, timeout):
        """Read lines until one matches the regex pattern (searched); the match, or
        None at timeout/EOF."""
        want = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            try:
                line = self.next_line(max(0.0, end - time.monotonic()))
            except TimeoutError:
                return None
            if line is None:
                return None
            m = want.search(line)
            if m:
                return m

    def wait_exit(self, timeout=None):
        """Drain serial until QEMU exits; returns its exit code (None if killed)."""
        end = min(self.deadline, time.monotonic() + (timeout or 1e9))
        while True:
            try:
                if self.next_line(max(0.0, end - time.monotonic())) is None:
                    break
            except TimeoutError:
                self.kill()
                return None
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def serial_write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def qmp(self, command, **arguments):
        if self._qmp is None:
            self._qmp = socket.socket(socket.AF_UNIX)
            self._qmp.settimeout(20)
            for _ in range(100):
                try:
                    self._qmp.connect(self.qmp_path)
                    break
                except OSError:
                    time.sleep(0.05)
            self._qmp_file = self._qmp.makefile("rw")
            json.loads(self._qmp_file.readline())  # greeting
            self._qmp_exchange({"execute": "qmp_capabilities"})
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        return self._qmp_exchange(msg)

    def _qmp_exchange(self, msg):
        self._qmp_file.write(json.dumps(msg) + "\n")
        self._qmp_file.flush()
        while True:
            reply = json.loads(self._qmp_file.readline())
            if "return" in reply or "error" in reply:
                if "error" in reply:
                    raise RuntimeError(f"QMP {msg['execute']}: {reply['error']}")
                return reply["return"]

    def screendump(self, path):
        self.qmp("screendump", filename=path)
        for _ in range(100):           # the file is written asynchronously
            if os.path.exists(path) and os.path.getsize(path) > 15:
                return path
            time.sleep(0.05)
        raise RuntimeError("screendump produced no file")

    def send_keys(self, keys, hold_ms=50):
        """keys: list of qcode lists, e.g. [["shift", "h"], ["i"]]."""
        for combo in keys:
            self.qmp("send-key", keys=[{"type": "qcode", "data": k} for k in combo],
                     **{"hold-time": hold_ms})
            time.sleep(0.03)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        self.kill()
        if self._qmp:
            self._qmp.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        remove_esp(self.esp_dir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ESP directories made by esp_with: the Boot that uses one removes it when it closes
# (also after a failure or a timeout), and whatever is left goes when Python exits.
_temp_esps = set()


def remove_esp(path):
    if path in _temp_esps:
        _temp_esps.discard(path)
        shutil.rmtree(path, ignore_errors=True)


atexit.register(lambda: [remove_esp(p) for p in list(_temp_esps)])


def esp_with(loader, cmdline=None):
    """A temporary ESP directory holding loader as EFI/BOOT/BOOTX64.EFI; the Boot
    given it as esp_dir removes it when it closes."""
    d = tempfile.mkdtemp(prefix="ember-esp-")
    _temp_esps.add(d)
    os.makedirs(os.path.join(d, "EFI", "BOOT"))
    shutil.copyfile(loader, os.path.join(d, "EFI", "BOOT", "BOOTX64.EFI"))
    if cmdline is not None:
        os.makedirs(os.path.join(d, "ember"))
        with open(os.path.join(d, "ember", "cmdline.txt"), "w") as f:
            f.write(cmdline + "\n")
    return d



def failure_report(lines, keep=8):
    """What a failed boot or in-kernel test said, for the lines under its FAIL:
    the failed expectations (file, line, expression, the values compared), then
    the last serial lines."""
    expected = [l.strip() for l in lines if re.match(r"^ktest:\s+\S+:\d+: expected", l)]
    out = ["failed expectations:", *expected] if expected else []
    out += ["last serial lines:", *[l for l in lines if l.strip()][-keep:]]
    return "\n".join(out)


def qemu_exit_name(code):
    return {None: "killed (timeout)", 0: "0 (triple fault or reset?)", 33: "33 (pass)",
            35: "35 (fail)"}.get(code, str(code))
