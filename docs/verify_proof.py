#!/usr/bin/env python3
"""An independent verifier of kehoach proofs (docs/proofs.md), Python 3 standard library only.

    python3 verify_proof.py PROOF.json [--line LINEFILE] [--head HEAD.json] [--public-key KEY.pub]
    python3 verify_proof.py --self-test

It shares no code with kehoach: the Merkle tree hashes and proof verification
follow RFC 9162 section 2 (SHA-256 from hashlib), and the Ed25519 signature of
a tree head is verified by the reference algorithm of RFC 8032 section 6
(Python's standard library has no Ed25519). It checks, in order:

  1. an inclusion proof: the proof's line hashes to its leafHash, the line
     states the proven position, and the audit path leads from the leaf to the
     proof's rootHash; a consistency proof: the proof joins its two roots;
  2. with --line: the given file's line (without its final newline) is the leaf;
  3. with --head: the head's treeSize and rootHash are the proof's tree
     (for a consistency proof, either of its two trees);
  4. with --public-key: the head's keyId is the key's and its signature verifies.

Exit status 0 and one line "OK: ..." when everything holds; status 1 and one
line "refused: ..." naming the first thing that does not match.
"""

import base64
import hashlib
import json
import sys

# ---------------------------------------------------------------------------
# RFC 9162 section 2: the Merkle tree hash


def leaf_hash(data):
    """SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_inclusion(index, size, leaf, path):
    """RFC 9162 2.1.3.2: the root an inclusion path leads to, or raise ValueError."""
    if not (0 <= index < size):
        raise ValueError("leaf index %d is not in a tree of %d leaves" % (index, size))
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ValueError("the path has %d hashes, more than a tree of %d leaves needs" % (len(path), size))
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        else:
            r = node_hash(r, p)
        fn //= 2
        sn //= 2
    if sn != 0:
        raise ValueError("the path has %d hashes, fewer than a tree of %d leaves needs" % (len(path), size))
    return r


def check_consistency(first, second, first_root, second_root, proof):
    """RFC 9162 2.1.4.2: None when the proof holds, else why not."""
    if not (0 <= first <= second):
        return "a tree of %d leaves cannot be extended by one of %d" % (first, second)
    if first == second:
        if proof:
            return "the proof between equal sizes must be empty"
        return None if first_root == second_root else "the two root hashes of size %d differ" % first
    if first == 0:
        if proof:
            return "the proof from the empty tree must be empty"
        return None if first_root == hashlib.sha256(b"").digest() else "the first root is not the empty tree's"
    if not proof:
        return "the proof is empty"
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn //= 2
        sn //= 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return "the proof is longer than the two sizes need"
        if fn % 2 == 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        else:
            sr = node_hash(sr, c)
        fn //= 2
        sn //= 2
    if sn != 0:
        return "the proof is shorter than the two sizes need"
    if fr != first_root:
        return "the proof does not lead to the root hash of size %d" % first
    if sr != second_root:
        return "the proof does not lead to the root hash of size %d" % second
    return None


# ---------------------------------------------------------------------------
# RFC 8032 section 6: Ed25519 verification (the reference algorithm)

_P = 2 ** 255 - 19
_Q = 2 ** 252 + 27742317777372353535851937790883648493


def _inv(x):
    return pow(x, _P - 2, _P)


_D = -121665 * _inv(121666) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % _P
    bb = (y1 + x1) * (y2 + x2) % _P
    cc = 2 * t1 * t2 * _D % _P
    dd = 2 * z1 * z2 % _P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(s, point):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, point)
        point = _add(point, point)
        s >>= 1
    return q


def _equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y, sign):
    if y >= _P:
        return None
    x2 = (y * y - 1) * _inv(_D * y * y + 1) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


def _decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


_GY = 4 * _inv(5) % _P
_G = (_recover_x(_GY, 0), _GY, 1, _recover_x(_GY, 0) * _GY % _P)


def ed25519_verify(public, message, signature):
    """True when `signature` (64 bytes) is a valid Ed25519 signature of `message` by `public` (32 bytes)."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a = _decompress(public)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _Q:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % _Q
    return _equal(_mul(s, _G), _add(r, _mul(h, a)))


# ---------------------------------------------------------------------------
# kehoach's documents

_SPKI_HEADER = bytes.fromhex("302a300506032b6570032100")


def read_public_key(text):
    """The 32 raw bytes of an Ed25519 public key: SPKI PEM, or base64 of the raw bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN PUBLIC KEY-----"):
        body = "".join(l for l in text.splitlines() if not l.startswith("-----"))
        der = base64.b64decode(body)
        if len(der) != 44 or not der.startswith(_SPKI_HEADER):
            raise ValueError("not an Ed25519 public key")
        return der[12:]
    raw = base64.b64decode(text)
    if len(raw) != 32:
        raise ValueError("not an Ed25519 public key")
    return raw


def key_id(raw):
    return hashlib.sha256(raw).hexdigest()[:16]


def signed_message(head):
    """The bytes a tree head's signature covers (docs/proofs.md)."""
    return ("kehoach tree head v1\n%d\n%s\n%s\n%s\n" % (
        head["treeSize"], head["rootHash"], head["chainHash"], head["timestamp"])).encode("utf-8")


class Refused(Exception):
    pass


def _hex32(value, what):
    if not isinstance(value, str) or len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise Refused("%s is not a SHA-256 hash in lowercase hex" % what)
    return bytes.fromhex(value)


def _size(value, what):
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Refused("%s is not a whole number >= 0" % what)
    return value


def check_inclusion(proof, line=None):
    position = _size(proof.get("position"), "position")
    size = _size(proof.get("treeSize"), "treeSize")
    leaf = _hex32(proof.get("leafHash"), "leafHash")
    root = _hex32(proof.get("rootHash"), "rootHash")
    path = proof.get("path")
    if not isinstance(path, list):
        raise Refused("path is not a list")
    path = [_hex32(h, "path[%d]" % i) for i, h in enumerate(path)]
    own = proof.get("line")
    if not isinstance(own, str):
        raise Refused("the proof has no line")
    computed = leaf_hash(own.encode("utf-8"))
    if computed != leaf:
        raise Refused("the proof's line hashes to leaf %s, not to its leafHash %s: the line was changed"
                      % (computed.hex(), leaf.hex()))
    if line is not None:
        given = leaf_hash(line)
        if given != leaf:
            raise Refused("the given line hashes to leaf %s, not to the proof's leafHash %s" % (given.hex(), leaf.hex()))
    try:
        stated = json.loads(own).get("position")
    except (ValueError, AttributeError):
        stated = None
    if stated != position:
        raise Refused("the proof is for position %d, but its line states position %s" % (position, stated))
    try:
        got = root_from_inclusion(position - 1, size, leaf, path)
    except ValueError as e:
        raise Refused("the inclusion path is malformed: %s" % e)
    if got != root:
        raise Refused("the inclusion path leads to root %s, not to the proof's rootHash %s" % (got.hex(), root.hex()))
    return [(size, root.hex())]


def check_consistency_proof(proof):
    first = _size(proof.get("firstSize"), "firstSize")
    second = _size(proof.get("secondSize"), "secondSize")
    r1 = _hex32(proof.get("firstRootHash"), "firstRootHash")
    r2 = _hex32(proof.get("secondRootHash"), "secondRootHash")
    path = proof.get("path")
    if not isinstance(path, list):
        raise Refused("path is not a list")
    reason = check_consistency(first, second, r1, r2, [_hex32(h, "path[%d]" % i) for i, h in enumerate(path)])
    if reason is not None:
        raise Refused("the consistency proof does not hold: %s" % reason)
    return [(first, r1.hex()), (second, r2.hex())]


def check(proof, line=None, head=None, public_key=None):
    """Raises Refused naming what does not match; returns the sentence to print otherwise."""
    kind = proof.get("proof")
    if proof.get("version") != 1 or kind not in ("inclusion", "consistency"):
        raise Refused("not a kehoach proof of version 1 (field 'proof' is %r)" % kind)
    if kind == "inclusion":
        trees = check_inclusion(proof, line)
        said = "the event at position %d is in the log of %d events with root hash %s" % (
            proof["position"], proof["treeSize"], proof["rootHash"])
    else:
        if line is not None:
            raise Refused("--line goes with an inclusion proof, and this is a consistency proof")
        trees = check_consistency_proof(proof)
        said = "the log of %d events extends the log of %d events unchanged" % (proof["secondSize"], proof["firstSize"])
    if head is not None:
        size = _size(head.get("treeSize"), "the head's treeSize")
        same = [t for t in trees if t[0] == size]
        if not same:
            raise Refused("the proof is for the tree of %s events, but the tree head is of %d"
                          % (" and ".join(str(t[0]) for t in trees), size))
        if same[0][1] != head.get("rootHash"):
            raise Refused("the proof's tree of %d events has root %s, but the tree head's root is %s"
                          % (size, same[0][1], head.get("rootHash")))
        said += ", the tree of the given head"
        if public_key is not None:
            if "signature" not in head:
                raise Refused("the tree head is not signed")
            if head.get("keyId") != key_id(public_key):
                raise Refused("the tree head is signed by key %s, not by the given public key %s"
                              % (head.get("keyId"), key_id(public_key)))
            try:
                signature = base64.b64decode(head["signature"], validate=True)
            except ValueError:
                signature = b""
            if not ed25519_verify(public_key, signed_message(head), signature):
                raise Refused("the tree head's signature does not verify with key %s" % key_id(public_key))
            said += ", signed by key %s at %s" % (key_id(public_key), head["timestamp"])
    elif public_key is not None:
        raise Refused("--public-key checks a signed tree head: give --head too")
    return "OK: " + said + "."


# ---------------------------------------------------------------------------
# Self-test: the Certificate Transparency reference tree and RFC 8032's vectors


def self_test():
    inputs = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f"]]
    leaves = [leaf_hash(d) for d in inputs]
    root8 = bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
    path = [bytes.fromhex(h) for h in [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]]
    assert root_from_inclusion(5, 8, leaves[5], path) == root8
    root6 = bytes.fromhex("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef")
    proof = [bytes.fromhex(h) for h in [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]]
    assert check_consistency(6, 8, root6, root8, proof) is None
    assert check_consistency(6, 8, root6, root8, proof[:-1]) is not None
    # RFC 8032 7.1, TEST 1 and TEST 2.
    for pub, msg, sig in [
        ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ]:
        pub, msg, sig = bytes.fromhex(pub), bytes.fromhex(msg), bytes.fromhex(sig)
        assert ed25519_verify(pub, msg, sig)
        assert not ed25519_verify(pub, msg + b"x", sig)
        assert not ed25519_verify(pub, msg, sig[:63] + bytes([sig[63] ^ 1]))
    return "OK: the Certificate Transparency vectors and the RFC 8032 vectors check."


def main(argv):
    if argv == ["--self-test"]:
        print(self_test())
        return 0
    args, options = [], {}
    i = 0
    while i < len(argv):
        if argv[i] in ("--line", "--head", "--public-key") and i + 1 < len(argv):
            options[argv[i]] = argv[i + 1]
            i += 2
        elif argv[i].startswith("--"):
            print("refused: unknown option %s" % argv[i], file=sys.stderr)
            return 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        try:
            with open(args[0], "rb") as f:
                proof = json.loads(f.read().decode("utf-8"))
            line = head = key = None
            if "--line" in options:
                with open(options["--line"], "rb") as f:
                    line = f.read()
                if line.endswith(b"\r\n"):
                    line = line[:-2]
                elif line.endswith(b"\n"):
                    line = line[:-1]
            if "--head" in options:
                with open(options["--head"], "rb") as f:
                    head = json.loads(f.read().decode("utf-8"))
            if "--public-key" in options:
                with open(options["--public-key"], "r") as f:
                    key = read_public_key(f.read())
        except (OSError, ValueError) as e:
            raise Refused("cannot read the input: %s" % e)
        if not isinstance(proof, dict) or (head is not None and not isinstance(head, dict)):
            raise Refused("the proof and the head must be JSON objects")
        print(check(proof, line, head, key))
        return 0
    except Refused as e:
        print("refused: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
