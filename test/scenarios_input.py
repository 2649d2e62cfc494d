"""System tests of keyboard and serial input on the real image (build/ember.img).

The kernel ends start-up in the shell (kernel/shell/shell.c), whose line editor
echoes what is typed. These boots type into it the way a user would and read
back both copies of the echo (the prompt stripped):

- on the PS/2 keyboard through QMP send-key: Shift, Caps Lock (with and
  without Shift), Backspace and Enter on the US layout; then Ctrl+Alt+F3
  switches to the German layout, where Y and Z trade places, the keys right
  of L and P type umlauts, and AltGr types @ and the euro sign;
- on COM1 as a terminal would: text, an arrow key as an escape sequence
  (the cursor moves left), DEL as Backspace, UTF-8, CR as Enter;
- with no keyboard controller at all (-machine q35,i8042=off): one clear log
  line, start-up completes, and the serial line still echoes.

The serial copy is rendered as a terminal would show it (CR, backspace and
ESC[nD/ESC[nC move, ESC[K erases), the screen copy is read from a QMP screendump with
the console font (test/screen.py).
"""
import os
import re

import qemu
import screen
from scenarios import scenario

ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")
PROMPT = "Ember shell"
SHELL_PROMPT = "ember> "
CSI = re.compile(r"\x1b\[([0-9;=?]*)([A-Za-z])")

US_KEYS = (
    [["shift", "h"], ["e"], ["l"], ["l"], ["o"], ["spc"],
     ["caps_lock"], ["w"], ["o"], ["r"], ["l"], ["d"], ["shift", "x"], ["caps_lock"],
     ["spc"], ["t"], ["y"], ["p"], ["o"], ["backspace"], ["backspace"], ["backspace"],
     ["backspace"], ["o"], ["k"], ["shift", "1"], ["ret"]])
US_LINE = "Hello WORLDx ok!"

DE_KEYS = (
    [["y"], ["z"], ["semicolon"], ["apostrophe"], ["bracket_left"], ["minus"],
     ["alt_r", "q"], ["alt_r", "e"], ["shift", "2"], ["shift", "y"], ["ret"]])
DE_LINE = 'zyöäüß@€"Z'

SERIAL_BYTES = "serial: abc\x1b[D\x7f\x7fZ é\r".encode()
SERIAL_LINE = "serial: Z éc"   # Left, then two Backspaces take "ab"


def render(line):
    """A serial line as a terminal shows it, without the shell's prompt."""
    cells, pos, i = [], 0, 0
    while i < len(line):
        m = CSI.match(line, i)
        if m:
            n = int(m.group(1) or 1) if m.group(1).isdigit() else 1
            if m.group(2) == "D":
                pos = max(0, pos - n)
            elif m.group(2) == "C":
                pos += n
            elif m.group(2) == "K":
                del cells[pos:]
            i = m.end()
            continue
        ch = line[i]
        i += 1
        if ch in "\b\r":
            pos = 0 if ch == "\r" else max(0, pos - 1)
            continue
        cells.extend(" " * (pos - len(cells)))
        if pos < len(cells):
            cells[pos] = ch
        else:
            cells.append(ch)
        pos += 1
    text = "".join(cells).rstrip()
    return text[len(SHELL_PROMPT):] if text.startswith(SHELL_PROMPT) else text


def image(args):
    return os.path.join(args.build, "ember.img")


def screen_text(args, b):
    font = screen.Font(os.path.join(args.build, "font", "terminus16.psf"))
    shot = b.screendump(os.path.join(b.tmp, "screen.ppm"))
    return [l.rstrip() for l in screen.screen_lines(shot, font)]


def check_line(name, want, serial_lines, screen_lines):
    """Both consoles show want as a line of its own."""
    rendered = [render(l) for l in serial_lines]
    if want not in rendered:
        near = [r for r in rendered if r and (r[:4] == want[:4] or r[-3:] == want[-3:])]
        return f"{name}: serial shows no line {want!r}; near: {near!r}"
    screen_lines = [l[len(SHELL_PROMPT):] if l.startswith(SHELL_PROMPT) else l
                    for l in screen_lines]
    if want not in screen_lines:
        near = [l for l in screen_lines if l[:4] == want[:4]]
        return f"{name}: screen shows no line {want!r}; near: {near!r}"
    return None


@scenario("system/input/typing_echoes_on_serial_and_screen_in_two_layouts", level="system")
def typing(args):
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=image(args), timeout=180) as b:
        if not b.wait_for(PROMPT, 90):
            return False, "no echo loop; last: " + " | ".join(b.lines[-3:])
        if "ps2: keyboard on port 1, scancode set 2" not in "\n".join(b.lines):
            return False, "the keyboard was not brought up in set 2"
        b.send_keys(US_KEYS)
        if not b.wait_for("ok!", 30):
            return False, "US typing never echoed; last: " + repr(b.lines[-2:])
        b.send_keys([["ctrl", "alt", "f3"]])
        if not b.wait_for("input: keyboard layout de", 20):
            return False, "Ctrl+Alt+F3 did not switch to the German layout"
        b.send_keys(DE_KEYS)
        if not b.wait_for('@€"Z', 30):
            return False, "German typing never echoed; last: " + repr(b.lines[-2:])
        b.serial_write(SERIAL_BYTES)
        if not b.wait_for("serial: ab", 20):
            return False, "COM1 input never echoed"
        shown = screen_text(args, b)
        lines = list(b.lines)
    for name, want in (("US", US_LINE), ("German", DE_LINE), ("COM1", SERIAL_LINE)):
        err = check_line(name, want, lines, shown)
        if err:
            return False, err
    return True, ""


@scenario("system/input/no_keyboard_controller_still_boots_and_echoes_serial",
          level="system")
def no_keyboard(args):
    extra = ("-machine", "q35,i8042=off")
    with qemu.Boot(args.ovmf_code, args.ovmf_vars, image=image(args), extra=extra,
                   timeout=150) as b:
        if not b.wait_for(PROMPT, 90):
            return False, "start-up did not complete; last: " + " | ".join(b.lines[-3:])
        log = "\n".join(b.lines)
        said = [l for l in log.splitlines() if l.startswith("ps2:")]
        # q35 with i8042=off says so in the FADT's boot flags, so the kernel
        # does not even probe: one line naming why, nothing else from ps2.
        if said != ["ps2: no keyboard controller (the FADT says there is no 8042): not probed"]:
            return False, f"expected one clear ps2 line, got {said!r}"
        b.serial_write(b"still here\r")
        if not b.wait_for("still here", 20):
            return False, "COM1 input never echoed"
    return True, ""
