"""Enroll a certificate into the Secure Boot db of an OVMF variable store file.

Debian 12 has no tool that edits OVMF_VARS files (python3-virt-firmware is
not packaged), so this does the one edit the Secure Boot test needs, on a
copy of OVMF_VARS_4M.snakeoil.fd (PK, KEK and db enrolled, Secure Boot on):
the live "db" variable is marked deleted and a new one appended whose data
is the old signature lists followed by ours, with the same attributes and
timestamp. That is what the firmware itself writes for an append to db; the
firmware checks signatures when a variable is written at run time, not when
it reads the store at boot.

Layout (EDK II, MdeModulePkg VariableFormat.h): a firmware volume header,
then VARIABLE_STORE_HEADER (16-byte GUID, UINT32 size, format 0x5a, state
0xfe, 6 reserved bytes), then variables, each an AUTHENTICATED_VARIABLE_HEADER
(60 bytes), its UTF-16 name and its data, 4-byte aligned.
"""
import struct
import uuid

AUTH_VAR_STORE = uuid.UUID("aaf32c78-947b-439a-a180-2e144ec37792")
IMAGE_SECURITY_DB = uuid.UUID("d719b2cb-3d3a-4596-a3bc-dad00e67656f")
START_ID = 0x55aa
VAR_ADDED = 0x3f
VAR_DELETED_MASK = 0xfd
HEADER = struct.Struct("<HBBIQ16sIII16s")     # 60 bytes
assert HEADER.size == 60


def _variables(store, start, end):
    """(offset, header fields, name, data offset) of every variable in the store."""
    off = start
    while off + HEADER.size <= end:
        fields = HEADER.unpack_from(store, off)
        if fields[0] != START_ID:
            return
        name_size, data_size = fields[7], fields[8]
        name = store[off + HEADER.size:off + HEADER.size + name_size].decode("utf-16-le").rstrip("\0")
        yield off, fields, name, off + HEADER.size + name_size
        off = (off + HEADER.size + name_size + data_size + 3) & ~3


def enroll_db(vars_in, esl, vars_out):
    """Write vars_out: vars_in with the signature list esl appended to db."""
    store = bytearray(open(vars_in, "rb").read())
    fv_len = struct.unpack_from("<H", store, 0x30)[0]
    if uuid.UUID(bytes_le=bytes(store[fv_len:fv_len + 16])) != AUTH_VAR_STORE:
        raise ValueError("not an authenticated OVMF variable store")
    size = struct.unpack_from("<I", store, fv_len + 16)[0]
    start, end = fv_len + 28, fv_len + size
    live, last = None, start
    for off, fields, name, data_off in _variables(store, start, end):
        last = (data_off + fields[8] + 3) & ~3
        if (name == "db" and fields[1] == VAR_ADDED and
                uuid.UUID(bytes_le=fields[9]) == IMAGE_SECURITY_DB):
            live = (off, fields, data_off)
    if live is None:
        raise ValueError("no live db variable to append to")
    off, fields, data_off = live
    data = bytes(store[data_off:data_off + fields[8]]) + esl
    name = "db\0".encode("utf-16-le")
    new = HEADER.pack(START_ID, VAR_ADDED, 0, fields[3], fields[4], fields[5], fields[6],
                      len(name), len(data), fields[9]) + name + data
    if last + len(new) > end or any(b != 0xff for b in store[last:last + len(new)]):
        raise ValueError("no free space in the variable store")
    store[last:last + len(new)] = new
    store[off + 2] &= VAR_DELETED_MASK
    open(vars_out, "wb").write(store)
