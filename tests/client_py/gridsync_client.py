#!/usr/bin/python3
"""A second gridsync client, written from docs/PROTOCOL.md alone.

It proves the spec suffices: with Debian's python3-nacl and the sqlite3
shell (its .session command makes the changeset), it enrolls a community
laptop with a one-time code, bootstraps its scope from snapshot pages
(verifying central's signature on every batch and the scope digest over the
rows it applied), pushes a resident's phone correction as a signed entry,
and checks that central refuses what it must: an entry under a bad
signature (rejected, gridsync.central:3) and a write its role may not make
(quarantined, gridsync.central:9). tests/net/second_client_test.cpp runs it
against the shipped central and checks the result there.

Usage: gridsync_client.py --central HOST:PORT --code CODE --data DIR
       gridsync_client.py --vectors --data DIR   (the golden vectors, offline)
Prints one JSON object; exits 0 when every step did what the spec says.
"""
import argparse
import hashlib
import http.client
import json
import os
import sqlite3
import struct
import subprocess
import sys
import time

import nacl.bindings as sodium
import nacl.public
import nacl.signing

PROTOCOL = 3
SCHEMA = 3
CTX_ENVELOPE = b"gridsync/changeset-envelope/v1"
CTX_PULL_REQUEST = b"gridsync/pull-request/v1"
CTX_PULL_BATCH = b"gridsync/pull-batch/v1"
CTX_ENTRY_HASH = b"gridsync/outbox-entry/v1"
REPLICATED = [
    "service_point", "community", "grid", "staff", "household", "resident",
    "proxy_registration", "certificate_type", "certificate", "custody_transfer",
    "delivery_attempt", "aid_program", "disbursement_day", "disbursement_roster",
    "disbursement_session", "entitlement", "payment", "session_closing",
    "unpaid_entitlement", "roster_shift", "shift_check", "payment_void",
    "recovery_task", "staff_key", "citizen_rating", "calendar_day",
]


class Refused(Exception):
    pass


# --- Encoding: portable binary, little endian (PROTOCOL.md, "Encoding") ---
class Writer:
    def __init__(self):
        self.b = bytearray(b"\x01")  # the endianness marker

    def u8(self, v):
        self.b += struct.pack("<B", v)
        return self

    def u16(self, v):
        self.b += struct.pack("<H", v)
        return self

    def u32(self, v):
        self.b += struct.pack("<I", v)
        return self

    def u64(self, v):
        self.b += struct.pack("<Q", v)
        return self

    def i64(self, v):
        self.b += struct.pack("<q", v)
        return self

    def bytes(self, v):
        if isinstance(v, str):
            v = v.encode()
        self.u64(len(v))
        self.b += v
        return self


class Reader:
    def __init__(self, data):
        self.d, self.i = data, 0
        if self.take(1) != b"\x01":
            raise Refused("not little endian")

    def take(self, n):
        if self.i + n > len(self.d):
            raise Refused("short message")
        out = self.d[self.i:self.i + n]
        self.i += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack("<H", self.take(2))[0]

    def u32(self):
        return struct.unpack("<I", self.take(4))[0]

    def u64(self):
        return struct.unpack("<Q", self.take(8))[0]

    def i64(self):
        return struct.unpack("<q", self.take(8))[0]

    def bytes(self):
        return self.take(self.u64())

    def header(self, kind):
        version, t = self.u16(), self.u8()
        if t != kind:
            raise Refused("message type %d, expected %d" % (t, kind))
        return version

    def end(self):
        if self.i != len(self.d):
            raise Refused("trailing bytes")


def framed(context, message):
    return bytes([len(context)]) + context + message


# --- The encrypted channel (PROTOCOL.md, "HTTP") ---
class Channel:
    def __init__(self, address, kx_pk, kx_sk, central_kx):
        self.host, self.port = address.rsplit(":", 1)
        self.rx, self.tx = sodium.crypto_kx_client_session_keys(kx_pk, kx_sk, central_kx)

    @staticmethod
    def ad(direction, path, device_id):
        return ("gridsync/http/v1 %s %s %s" % (direction, path, device_id)).encode()

    def seal(self, path, device_id, plain):
        nonce = os.urandom(24)
        return nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
            plain, self.ad("request", path, device_id), nonce, self.tx)

    def open(self, path, device_id, body):
        return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            body[24:], self.ad("response", path, device_id), body[:24], self.rx)

    def post(self, path, body, device_id=None):
        conn = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        headers = {"Content-Type": "application/octet-stream"}
        if device_id:
            headers["X-Gridsync-Device"] = device_id
        conn.request("POST", path, body, headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        if r.status != 200:
            raise Refused("HTTP %d %s" % (r.status, data.decode("utf-8", "replace")))
        return data


# --- Changesets (PROTOCOL.md, "ChangesetEnvelope") ---
def varint(data, i):
    v = 0
    for n in range(9):
        b = data[i]
        i += 1
        if n == 8:
            return (v << 8) | b, i
        v = (v << 7) | (b & 0x7F)
        if not b & 0x80:
            return v, i
    return v, i


def value(data, i):
    t = data[i]
    i += 1
    if t == 0:
        return ("absent", None), i
    if t == 5:
        return ("value", None), i
    if t == 1:
        return ("value", struct.unpack(">q", data[i:i + 8])[0]), i + 8
    if t == 2:
        return ("value", struct.unpack(">d", data[i:i + 8])[0]), i + 8
    n, i = varint(data, i)
    raw = data[i:i + n]
    return ("value", raw.decode() if t == 3 else bytes(raw)), i + n


def changes(data):
    """Yields (table, op, old, new) from a session changeset."""
    i = 0
    while i < len(data):
        if data[i] != ord("T"):
            raise Refused("not a changeset")
        ncol, i = varint(data, i + 1)
        i += ncol  # primary-key flags
        end = data.index(0, i)
        table = data[i:end].decode()
        i = end + 1
        while i < len(data) and data[i] != ord("T"):
            op = data[i]
            i += 2  # op, indirect
            records = 2 if op == 23 else 1
            rows = []
            for _ in range(records):
                row = []
                for _ in range(ncol):
                    v, i = value(data, i)
                    row.append(v)
                rows.append(row)
            if op == 18:
                yield table, "insert", None, rows[0]
            elif op == 9:
                yield table, "delete", rows[0], None
            else:
                yield table, "update", rows[0], rows[1]


def apply_changeset(db, data):
    for table, op, old, new in changes(data):
        cols = [r[1] for r in db.execute("SELECT * FROM pragma_table_info(?) ORDER BY cid", (table,))]
        if op == "insert":
            db.execute("INSERT OR REPLACE INTO %s VALUES (%s)" % (table, ",".join("?" * len(cols))),
                       [v for _, v in new])
        elif op == "delete":
            db.execute("DELETE FROM %s WHERE id = ?" % table, (old[0][1],))
        else:
            sets = [(c, v) for c, (kind, v) in zip(cols, new) if kind == "value"]
            if sets:
                db.execute("UPDATE %s SET %s WHERE id = ?" % (table, ",".join(c + " = ?" for c, _ in sets)),
                           [v for _, v in sets] + [old[0][1]])


# --- The scope digest (PROTOCOL.md, "Scope digest") ---
def scope_digest(db):
    h = hashlib.blake2b(digest_size=32)
    for table in REPLICATED:
        h.update(struct.pack("<Q", len(table)) + table.encode())
        count = 0
        for row in db.execute("SELECT * FROM %s ORDER BY id" % table):
            for v in row:
                if v is None:
                    h.update(b"\x00")
                elif isinstance(v, int):
                    h.update(b"\x01" + struct.pack("<q", v))
                elif isinstance(v, float):
                    h.update(b"\x02" + struct.pack("<d", v))
                elif isinstance(v, str):
                    b = v.encode()
                    h.update(b"\x03" + struct.pack("<Q", len(b)) + b)
                else:
                    h.update(b"\x04" + struct.pack("<Q", len(v)) + bytes(v))
            count += 1
        h.update(struct.pack("<Q", count))
    return h.digest()


def parse_pull_batch(batch):
    r = Reader(batch)
    r.header(4)
    from_cursor, to_cursor, more, _central_ms = r.u64(), r.u64(), r.u8(), r.i64()
    entries = []
    for _ in range(r.u64()):
        entries.append((r.u64(), r.bytes().decode(), r.i64(), r.bytes()))
    snap = None
    if r.u8() == 1:
        snap = (r.u64(), r.u32(), r.bytes().decode())
    digest = r.bytes()
    r.bytes(), r.u64(), r.u64()  # epoch: id, base, device_seq
    r.end()
    return from_cursor, to_cursor, more, entries, snap, digest


def enroll_request(token, name, signing_key, kx_key):
    return bytes(Writer().u16(PROTOCOL).u8(5).bytes(token).bytes(name).bytes(signing_key).bytes(kx_key).b)


class Client:
    def __init__(self, args):
        self.args = args
        os.makedirs(args.data, exist_ok=True)
        self.db_path = os.path.join(args.data, "client.db")
        self.db = sqlite3.connect(self.db_path, isolation_level=None)
        schema = open(os.path.join(args.golden, "schema_v3.sql"), encoding="utf-8").read()
        self.db.executescript(schema)
        self.key = nacl.signing.SigningKey.generate()
        kx = nacl.public.PrivateKey.generate()
        self.kx_pk, self.kx_sk = bytes(kx.public_key), bytes(kx)
        self.seq, self.prev, self.request_seq, self.last_hlc = 0, bytes(32), 0, 0

    # PROTOCOL.md, "HTTP": the code is <token>.<central X25519 key, hex>.
    def enroll(self, code):
        token, central_kx = code.split(".", 1)
        central_kx = bytes.fromhex(central_kx)
        self.channel = Channel(self.args.central, self.kx_pk, self.kx_sk, central_kx)
        request = enroll_request(token, "python client", bytes(self.key.verify_key), self.kx_pk)
        sealed = nacl.public.SealedBox(nacl.public.PublicKey(central_kx)).encrypt(request)
        answer = self.channel.open("/v1/enroll", "enroll", self.channel.post("/v1/enroll", sealed))
        r = Reader(answer)
        r.header(6)
        self.device_id = r.bytes().decode()
        self.role, self.staff_id = r.bytes().decode(), r.bytes().decode()
        self.community_id, self.grid_id = r.bytes().decode(), r.bytes().decode()
        self.central_key = nacl.signing.VerifyKey(r.bytes())
        if r.bytes() != central_kx:
            raise Refused("central's key differs from the enrollment code")
        r.bytes()  # id_key
        r.end()

    def pull_once(self, cursor, snapshot, want_digest):
        self.request_seq += 1
        body = Writer().u16(PROTOCOL).u8(3).bytes(self.device_id).u64(cursor).u32(500)
        body.i64(int(time.time() * 1000)).u8(1 if want_digest else 0)
        if snapshot:
            body.u8(1).u64(snapshot[0]).u32(snapshot[1]).bytes(snapshot[2])
        else:
            body.u8(0)
        body.u64(self.request_seq)
        body = bytes(body.b)
        sig = self.key.sign(framed(CTX_PULL_REQUEST, body)).signature
        signed = bytes(Writer().bytes(self.device_id).bytes(sig).bytes(body).b)
        answer = self.channel.open("/v1/pull", self.device_id,
                                   self.channel.post("/v1/pull", self.channel.seal("/v1/pull", self.device_id, signed),
                                                     self.device_id))
        w = Reader(answer)
        signer, signature, batch = w.bytes(), w.bytes(), w.bytes()
        w.end()
        # Verify before parsing: central's signature over the exact bytes.
        self.central_key.verify(framed(CTX_PULL_BATCH, batch), signature)
        from_cursor, to_cursor, more, entries, snap, digest = parse_pull_batch(batch)
        if from_cursor != cursor:
            raise Refused("batch does not start at my cursor")
        self.db.execute("BEGIN")
        for _position, origin, hlc, changeset in entries:
            self.last_hlc = max(self.last_hlc, hlc)
            if origin != self.device_id and changeset:
                apply_changeset(self.db, changeset)
        self.db.execute("COMMIT")
        return to_cursor, bool(more), snap, digest, len(entries)

    def bootstrap(self):
        cursor, snap, batches, rows = 0, None, 0, 0
        for _ in range(10000):
            cursor, more, snap, digest, n = self.pull_once(cursor, snap, True)
            batches += 1
            rows += n
            if not more and snap is None:
                return {"batches": batches, "entries": rows, "cursor": cursor,
                        "digest_sent": digest.hex(), "digest_mine": scope_digest(self.db).hex()}
        raise Refused("bootstrap did not end")

    # One local transaction, captured by the sqlite3 shell's session.
    def changeset_of(self, table, sql):
        out = os.path.join(self.args.data, "entry.changeset")
        script = ".session open main s\n.session s attach %s\n%s;\n.session s changeset %s\n" % (table, sql, out)
        subprocess.run(["sqlite3", self.db_path], input=script.encode(), check=True)
        data = open(out, "rb").read()
        os.remove(out)
        return data

    def next_hlc(self):
        wall = int(time.time() * 1000)
        hlc = wall << 16
        if hlc <= self.last_hlc:
            hlc = self.last_hlc + 1
        self.last_hlc = hlc
        return hlc

    def entry(self, changeset, hlc, key=None):
        envelope = bytes(Writer().u16(1).bytes(self.device_id).u64(self.seq + 1).bytes(self.prev)
                         .i64(hlc).i64(int(time.time() * 1000)).u32(SCHEMA).bytes(changeset).b)
        sig = (key or self.key).sign(framed(CTX_ENVELOPE, envelope)).signature
        return envelope, sig

    def push(self, envelope, sig):
        batch = bytes(Writer().u16(PROTOCOL).u8(1).u64(1).bytes(self.device_id).bytes(sig).bytes(envelope).b)
        answer = self.channel.open("/v1/push", self.device_id,
                                   self.channel.post("/v1/push", self.channel.seal("/v1/push", self.device_id, batch),
                                                     self.device_id))
        r = Reader(answer)
        r.header(2)
        acks = []
        for _ in range(r.u64()):
            acks.append({"seq": r.u64(), "status": r.u8(), "transient": r.u8(),
                         "code": r.bytes().decode(), "message": r.bytes().decode()})
        r.i64()
        r.bytes(), r.u64(), r.u64()
        r.end()
        ack = acks[0]
        if ack["status"] in (0, 1, 3):  # accepted, duplicate, quarantined: the chain goes on
            self.seq += 1
            self.prev = hashlib.blake2b(framed(CTX_ENTRY_HASH, envelope + sig), digest_size=32).digest()
        return ack

    def write_and_push(self, table, sql_for_hlc, key=None):
        hlc = self.next_hlc()
        changeset = self.changeset_of(table, sql_for_hlc(hlc))
        envelope, sig = self.entry(changeset, hlc, key)
        return self.push(envelope, sig)


def golden(args, name):
    return bytes.fromhex(open(os.path.join(args.golden, name)).read().strip())


def check_vectors(args):
    """Recomputes the golden vectors from the spec alone."""
    out = {}
    # An envelope's signature by the key of seed 0x42 x 32 (bytes), and its entry hash.
    envelope = golden(args, "envelope_v1.hex")
    key = nacl.signing.SigningKey(bytes([0x42] * 32))
    sig = key.sign(framed(CTX_ENVELOPE, envelope)).signature
    out["envelope_signature"] = sig == golden(args, "envelope_v1_signature.hex")
    out["entry_hash"] = hashlib.blake2b(framed(CTX_ENTRY_HASH, envelope + sig), digest_size=32).digest() \
        == golden(args, "envelope_v1_entry_hash.hex")
    # The scope digest over known rows.
    db = sqlite3.connect(":memory:")
    db.executescript(open(os.path.join(args.golden, "schema_v3.sql"), encoding="utf-8").read())
    db.executescript(open(os.path.join(args.golden, "scope_rows_v3.sql"), encoding="utf-8").read())
    out["scope_digest"] = scope_digest(db) == golden(args, "scope_digest_v3.hex")
    # The UPDATE changeset, made by the sqlite3 shell's session, decoded by us.
    os.makedirs(args.data, exist_ok=True)
    path = os.path.join(args.data, "vectors.db")
    if os.path.exists(path):
        os.remove(path)
    disk = sqlite3.connect(path)
    disk.executescript(open(os.path.join(args.golden, "schema_v3.sql"), encoding="utf-8").read())
    disk.executescript(open(os.path.join(args.golden, "scope_rows_v3.sql"), encoding="utf-8").read())
    disk.close()
    c = Client.__new__(Client)
    c.args, c.db_path = args, path
    made = c.changeset_of("resident", "UPDATE resident SET phone = '13900000001', origin_device = "
                          "'device-1', hlc = 117707744870400007 WHERE id = 'r-1'")
    out["update_changeset"] = made == golden(args, "changeset_update_v3.hex")
    out["update_decodes"] = list(changes(made))[0][:2] == ("resident", "update")
    # An encrypted body: kx seeds 01 x 32 and 02 x 32, nonce 03 x 24.
    dpk, dsk = sodium.crypto_kx_seed_keypair(bytes([1] * 32))
    cpk, _ = sodium.crypto_kx_seed_keypair(bytes([2] * 32))
    _, tx = sodium.crypto_kx_client_session_keys(dpk, dsk, cpk)
    nonce = bytes([3] * 24)
    body = nonce + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        b"gridsync", Channel.ad("request", "/v1/push", "device-1"), nonce, tx)
    out["encrypted_body"] = body == golden(args, "encrypted_body_v3.hex")
    # A resident ID digest: key 07 x 32.
    out["id_digest"] = hashlib.blake2b(b"gridsync/resident-id/v1" + b"11010519491231002X", digest_size=32,
                                       key=bytes([7] * 32)).digest() == golden(args, "id_digest_v1.hex")
    # An enrolment request, and a pull batch signed by central's key (seed 0x05 x 32).
    out["enroll_request"] = enroll_request(
        "5f3c", "民生路笔记本 1", bytes(nacl.signing.SigningKey(bytes([4] * 32)).verify_key),
        dpk) == golden(args, "enroll_request_v3.hex")
    w = Reader(golden(args, "pull_batch_signed_v3.hex"))
    signer, signature, batch = w.bytes(), w.bytes(), w.bytes()
    w.end()
    central = nacl.signing.SigningKey(bytes([5] * 32)).verify_key
    central.verify(framed(CTX_PULL_BATCH, batch), signature)  # raises if it does not verify
    parsed = parse_pull_batch(batch)
    out["pull_batch_signed"] = signer == b"central" and batch == golden(args, "pull_batch_v3.hex") \
        and len(parsed) == 6
    out["ok"] = all(out.values())
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--central")
    p.add_argument("--code")
    p.add_argument("--data", required=True)
    p.add_argument("--golden", default=os.path.join(os.path.dirname(__file__), "..", "golden"))
    p.add_argument("--vectors", action="store_true", help="check the golden vectors and stop")
    args = p.parse_args()
    if args.vectors:
        out = check_vectors(args)
        print(json.dumps(out))
        return 0 if out["ok"] else 1
    c = Client(args)
    out = {}
    c.enroll(args.code)
    out["device_id"], out["role"], out["community_id"] = c.device_id, c.role, c.community_id
    out["bootstrap"] = c.bootstrap()
    out["rows"] = {t: c.db.execute("SELECT count(*) FROM %s" % t).fetchone()[0] for t in ("resident", "household", "staff")}
    resident = c.db.execute("SELECT id FROM resident ORDER BY id LIMIT 1").fetchone()[0]
    out["resident"] = resident
    phone = "13912345678"
    out["correction"] = c.write_and_push("resident", lambda hlc: (
        "UPDATE resident SET phone = '%s', origin_device = '%s', hlc = %d WHERE id = '%s'"
        % (phone, c.device_id, hlc, resident)))
    # Refused as it must be: another key's signature, then a write of `staff`.
    other = nacl.signing.SigningKey.generate()
    out["bad_signature"] = c.write_and_push("resident", lambda hlc: (
        "UPDATE resident SET phone = '13900000000', origin_device = '%s', hlc = %d WHERE id = '%s'"
        % (c.device_id, hlc, resident)), key=other)
    staff = c.db.execute("SELECT id FROM staff ORDER BY id LIMIT 1").fetchone()[0]
    out["not_authorized"] = c.write_and_push("staff", lambda hlc: (
        "UPDATE staff SET name = name || 'x', origin_device = '%s', hlc = %d WHERE id = '%s'"
        % (c.device_id, hlc, staff)))
    ok = (out["bootstrap"]["digest_sent"] == out["bootstrap"]["digest_mine"]
          and out["correction"]["status"] == 0
          and out["bad_signature"]["status"] == 2 and out["bad_signature"]["code"] == "gridsync.central:3"
          and out["not_authorized"]["status"] == 3 and out["not_authorized"]["code"] == "gridsync.central:9")
    out["ok"] = ok
    print(json.dumps(out, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Refused as e:
        print(json.dumps({"ok": False, "error": str(e)}, ensure_ascii=False))
        sys.exit(1)
