"""Scripts as the node shows them: ``ScriptToAsmStr`` (src/core_write.cpp), the output types of
``Solver`` (src/script/solver.cpp), addresses (base58check, BIP173 bech32, BIP350 bech32m) and
inferred descriptors with their checksum (src/script/descriptor.cpp), at v31.0 unless noted."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# GetOpName (src/script/script.cpp @ v31.0): opcodes 0x61 (OP_NOP) to 0xba (OP_CHECKSIGADD) in
# order; OP_1NEGATE and OP_1..OP_16 print as numbers, OP_0 as "0".
_NAMED = (
    "NOP", "VER", "IF", "NOTIF", "VERIF", "VERNOTIF", "ELSE", "ENDIF", "VERIFY", "RETURN",
    "TOALTSTACK", "FROMALTSTACK", "2DROP", "2DUP", "3DUP", "2OVER", "2ROT", "2SWAP", "IFDUP",
    "DEPTH", "DROP", "DUP", "NIP", "OVER", "PICK", "ROLL", "ROT", "SWAP", "TUCK", "CAT", "SUBSTR",
    "LEFT", "RIGHT", "SIZE", "INVERT", "AND", "OR", "XOR", "EQUAL", "EQUALVERIFY", "RESERVED1",
    "RESERVED2", "1ADD", "1SUB", "2MUL", "2DIV", "NEGATE", "ABS", "NOT", "0NOTEQUAL", "ADD",
    "SUB", "MUL", "DIV", "MOD", "LSHIFT", "RSHIFT", "BOOLAND", "BOOLOR", "NUMEQUAL",
    "NUMEQUALVERIFY", "NUMNOTEQUAL", "LESSTHAN", "GREATERTHAN", "LESSTHANOREQUAL",
    "GREATERTHANOREQUAL", "MIN", "MAX", "WITHIN", "RIPEMD160", "SHA1", "SHA256", "HASH160",
    "HASH256", "CODESEPARATOR", "CHECKSIG", "CHECKSIGVERIFY", "CHECKMULTISIG",
    "CHECKMULTISIGVERIFY", "NOP1", "CHECKLOCKTIMEVERIFY", "CHECKSEQUENCEVERIFY", "NOP4", "NOP5",
    "NOP6", "NOP7", "NOP8", "NOP9", "NOP10", "CHECKSIGADD",
)  # fmt: skip
OP_NAMES = {
    0x4C: "OP_PUSHDATA1", 0x4D: "OP_PUSHDATA2", 0x4E: "OP_PUSHDATA4", 0x4F: "-1",
    0x50: "OP_RESERVED", 0xFF: "OP_INVALIDOPCODE",
    **{0x50 + n: str(n) for n in range(1, 17)},
    **{0x61 + index: f"OP_{name}" for index, name in enumerate(_NAMED)},
}  # fmt: skip
OP_RETURN, OP_CHECKSIG, OP_CHECKMULTISIG = 0x6A, 0xAC, 0xAE
# mapSigHashTypes (src/core_write.cpp): the suffix ScriptToAsmStr gives a signature.
_SIGHASH_NAMES = {1: "ALL", 2: "NONE", 3: "SINGLE", 0x81: "ALL|ANYONECANPAY",
                  0x82: "NONE|ANYONECANPAY", 0x83: "SINGLE|ANYONECANPAY"}  # fmt: skip


def script_ops(script: bytes) -> list[tuple[int, bytes | None]] | None:
    """``CScript::GetOp`` over the whole script: (opcode, pushed data), the last one's data
    None when the script ends inside a push."""
    ops, pc = [], 0
    while pc < len(script):
        opcode = script[pc]
        pc += 1
        if opcode > 0x4E:
            ops.append((opcode, b""))
            continue
        width = {0x4C: 1, 0x4D: 2, 0x4E: 4}.get(opcode, 0)
        size = int.from_bytes(script[pc : pc + width], "little") if width else opcode
        if pc + width > len(script) or pc + width + size > len(script):
            ops.append((opcode, None))
            return ops
        pc += width
        ops.append((opcode, script[pc : pc + size]))
        pc += size
    return ops


def _script_num(data: bytes) -> int:
    """``CScriptNum(vch, false).getint()``: little-endian, the sign in the top bit."""
    if not data:
        return 0
    value = int.from_bytes(data, "little")
    if data[-1] & 0x80:
        return -(value & ~(0x80 << (8 * (len(data) - 1))))
    return value


def _is_der_signature(sig: bytes) -> bool:
    """``IsValidSignatureEncoding`` (src/script/interpreter.cpp): a DER signature and a
    sighash byte."""
    if not 9 <= len(sig) <= 73 or sig[0] != 0x30 or sig[1] != len(sig) - 3:
        return False
    len_r = sig[3]
    if 5 + len_r >= len(sig):
        return False
    len_s = sig[len_r + 5]
    if len_r + len_s + 7 != len(sig) or sig[2] != 0x02 or len_r == 0 or sig[4] & 0x80:
        return False
    if len_r > 1 and sig[4] == 0 and not sig[5] & 0x80:
        return False
    if sig[len_r + 4] != 0x02 or len_s == 0 or sig[len_r + 6] & 0x80:
        return False
    return not (len_s > 1 and sig[len_r + 6] == 0 and not sig[len_r + 7] & 0x80)


def script_asm(script: bytes, attempt_sighash_decode: bool = False) -> str:
    """``ScriptToAsmStr``: pushes of up to four bytes as numbers, longer ones as hex (an input's
    signatures with their sighash type named), other opcodes by name."""
    words = []
    unspendable = bool(script) and script[0] == OP_RETURN
    for opcode, data in script_ops(script) or []:
        if data is None:
            words.append("[error]")
            break
        if opcode > 0x4E:
            words.append(OP_NAMES.get(opcode, "OP_UNKNOWN"))
        elif len(data) <= 4:
            words.append(str(_script_num(data)))
        elif (attempt_sighash_decode and not unspendable and _is_der_signature(data)
              and data[-1] in _SIGHASH_NAMES):  # fmt: skip
            words.append(f"{data[:-1].hex()}[{_SIGHASH_NAMES[data[-1]]}]")
        else:
            words.append(data.hex())
    return " ".join(words)


def solve(script: bytes) -> tuple[str, tuple[bytes, ...]]:
    """``Solver``: the output type and what it commits to (hash, witness version and program,
    keys)."""
    size = len(script)
    if size == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return "scripthash", (script[2:22],)
    if 4 <= size <= 42 and (script[0] == 0 or 0x51 <= script[0] <= 0x60) and script[1] + 2 == size:
        version, program = 0 if script[0] == 0 else script[0] - 0x50, script[2:]
        if version == 0 and len(program) == 20:
            return "witness_v0_keyhash", (program,)
        if version == 0 and len(program) == 32:
            return "witness_v0_scripthash", (program,)
        if version == 1 and len(program) == 32:
            return "witness_v1_taproot", (program,)
        if version != 0:
            return "witness_unknown", (bytes([version]), program)
        return "nonstandard", ()
    ops = script_ops(script)
    if (
        script[:1] == bytes([OP_RETURN])
        and ops
        and all(data is not None and opcode <= 0x60 for opcode, data in ops[1:])
    ):
        return "nulldata", ()
    if size == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return "pubkeyhash", (script[3:23],)
    if size in (35, 67) and script[0] == size - 2 and script[-1] == OP_CHECKSIG:
        return "pubkey", (script[1:-1],)
    if ops and ops[-1][0] == OP_CHECKMULTISIG and len(ops) >= 4 and 0x51 <= ops[0][0] <= 0x60:
        keys = tuple(data for _, data in ops[1:-2])
        if all(data is not None and len(data) in (33, 65) for data in keys) and (
            ops[-2][0] - 0x50 == len(keys) >= ops[0][0] - 0x50
        ):
            return "multisig", (bytes([ops[0][0] - 0x50]), *keys)  # type: ignore[misc]
    return "nonstandard", ()


# ------------------------------------------------------------------------------ addresses
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def hash160(data: bytes) -> bytes | None:
    """``Hash160``: RIPEMD-160 of SHA-256 (a key's P2PKH address); None where the OpenSSL
    under hashlib does not offer RIPEMD-160 (OpenSSL 3 without its legacy provider)."""
    try:
        return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()
    except ValueError:
        return None


def base58check(payload: bytes) -> str:
    """``EncodeBase58Check`` (src/base58.cpp)."""
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, digit = divmod(number, 58)
        text = _BASE58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def _xor_table(generator: tuple[int, ...]) -> tuple[int, ...]:
    """The generator terms to fold in for each value of a checksum's top five bits."""
    return tuple(
        _xor_all(g for index, g in enumerate(generator) if (top >> index) & 1) for top in range(32)
    )


def _xor_all(values: Iterable[int]) -> int:
    result = 0
    for value in values:
        result ^= value
    return result


_BECH32_TABLE = _xor_table((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3))


def _bech32_polymod(values: list[int]) -> int:
    chk = 1
    for value in values:
        chk = ((chk & 0x1FFFFFF) << 5) ^ value ^ _BECH32_TABLE[chk >> 25]
    return chk


def segwit_address(hrp: str, version: int, program: bytes, bech32m: bool) -> str:
    """A witness program's address (BIP173; BIP350's bech32m for versions 1+ from 22)."""
    acc, bits, data = 0, 0, [version]
    for byte in program:
        acc, bits = (acc << 8) | byte, bits + 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = 0x2BC830A3 if bech32m else 1
    polymod = _bech32_polymod(expanded + data + [0] * 6) ^ constant
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


# ------------------------------------------------------------------------------ descriptors
_INPUT_CHARSET = (
    "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyz"
    'ABCDEFGH`#"\\ '
)


_DESCRIPTOR_TABLE = _xor_table(
    (0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD)
)
_POSITIONS = {char: position for position, char in enumerate(_INPUT_CHARSET)}


def descriptor_checksum(descriptor: str) -> str:
    """``GetDescriptorChecksum`` (src/script/descriptor.cpp): ``descriptor#checksum``."""
    symbols = []
    classes, count = 0, 0
    for char in descriptor:
        position = _POSITIONS[char]
        symbols.append(position & 31)
        classes = classes * 3 + (position >> 5)
        count += 1
        if count == 3:
            symbols.append(classes)
            classes, count = 0, 0
    if count:
        symbols.append(classes)
    chk = 1
    for value in [*symbols, 0, 0, 0, 0, 0, 0, 0, 0]:
        chk = ((chk & 0x7FFFFFFFF) << 5) ^ value ^ _DESCRIPTOR_TABLE[chk >> 35]
    chk ^= 1
    return descriptor + "#" + "".join(_BECH32[(chk >> (5 * (7 - i))) & 31] for i in range(8))
