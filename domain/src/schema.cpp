#include "gridsync/domain/schema.hpp"

namespace gridsync::domain {

namespace {

// Conventions for every replicated table:
//  - id TEXT PRIMARY KEY NOT NULL: a UUIDv7 made on the device (no AUTOINCREMENT;
//    the session extension skips rows whose key can be NULL);
//  - origin_device, hlc: the device and hybrid-logical time of the last change;
//  - STRICT: a wrong type is an error, not a silent conversion;
//  - money in integer fen; times as UTC epoch ms; resident ID numbers only as a
//    keyed digest plus the last 4 characters.
constexpr const char* kV1 = R"sql(
CREATE TABLE service_point(
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

CREATE TABLE community(
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    service_point_id TEXT NOT NULL REFERENCES service_point(id),
    -- Normal hours, minutes after local midnight; early duty starts 2 h
    -- before opens_at, late duty ends 2 h after closes_at ("8+4").
    opens_at_minute INTEGER NOT NULL DEFAULT 540 CHECK (opens_at_minute BETWEEN 0 AND 1439),
    closes_at_minute INTEGER NOT NULL DEFAULT 1020 CHECK (closes_at_minute BETWEEN 0 AND 1439),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

CREATE TABLE grid(
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES community(id),
    name TEXT NOT NULL,
    leader_staff_id TEXT,  -- the grid leader (网格负责人); set once staff exist
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

CREATE TABLE staff(
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('grid_leader', 'service_point_staff', 'community_worker', 'admin')),
    community_id TEXT REFERENCES community(id),
    service_point_id TEXT REFERENCES service_point(id),
    household_id TEXT,         -- where the staff member lives, if in the subdistrict
    public_key BLOB CHECK (public_key IS NULL OR length(public_key) = 32),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

CREATE TABLE household(
    id TEXT PRIMARY KEY NOT NULL,
    grid_id TEXT NOT NULL REFERENCES grid(id),
    address TEXT NOT NULL,     -- 楼栋/单元/门牌
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

CREATE TABLE resident(
    id TEXT PRIMARY KEY NOT NULL,
    household_id TEXT NOT NULL REFERENCES household(id),
    name TEXT NOT NULL,
    id_digest BLOB NOT NULL CHECK (length(id_digest) = 32),
    id_last4 TEXT NOT NULL CHECK (length(id_last4) = 4),
    phone TEXT,
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;
CREATE INDEX resident_household ON resident(household_id);
CREATE INDEX resident_digest ON resident(id_digest);

CREATE TABLE proxy_registration(
    id TEXT PRIMARY KEY NOT NULL,
    resident_id TEXT NOT NULL REFERENCES resident(id),
    proxy_name TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('spouse', 'child', 'parent', 'other')),
    proxy_id_digest BLOB NOT NULL CHECK (length(proxy_id_digest) = 32),
    proxy_id_last4 TEXT NOT NULL,
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

CREATE TABLE certificate_type(
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    due_days INTEGER NOT NULL CHECK (due_days > 0),   -- 限时办结
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

CREATE TABLE certificate(
    id TEXT PRIMARY KEY NOT NULL,
    type_id TEXT NOT NULL REFERENCES certificate_type(id),
    resident_id TEXT NOT NULL REFERENCES resident(id),
    print_code TEXT NOT NULL UNIQUE,   -- the barcode / QR payload on the printed certificate
    issued_at_ms INTEGER NOT NULL,
    due_at_ms INTEGER NOT NULL,
    -- at_center -> with_grid_leader -> delivered | (failed attempts stay with_grid_leader) | returned (at_center)
    state TEXT NOT NULL CHECK (state IN ('at_center', 'with_grid_leader', 'delivered')),
    custodian_staff_id TEXT REFERENCES staff(id),   -- NULL while at the center
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;
CREATE INDEX certificate_resident ON certificate(resident_id);

-- A hand-over between the center and a grid leader, signed by both sides.
CREATE TABLE custody_transfer(
    id TEXT PRIMARY KEY NOT NULL,
    certificate_id TEXT NOT NULL REFERENCES certificate(id),
    kind TEXT NOT NULL CHECK (kind IN ('handover', 'return')),
    from_staff_id TEXT NOT NULL REFERENCES staff(id),
    to_staff_id TEXT NOT NULL REFERENCES staff(id),
    at_ms INTEGER NOT NULL,
    from_signature BLOB NOT NULL CHECK (length(from_signature) = 64),
    to_signature BLOB NOT NULL CHECK (length(to_signature) = 64),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;
CREATE INDEX custody_certificate ON custody_transfer(certificate_id);

-- A delivery or a failed attempt, by the grid leader who holds the certificate.
CREATE TABLE delivery_attempt(
    id TEXT PRIMARY KEY NOT NULL,
    certificate_id TEXT NOT NULL REFERENCES certificate(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    at_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    recipient_kind TEXT CHECK (recipient_kind IN ('resident', 'proxy')),
    proxy_name TEXT,
    proxy_relation TEXT CHECK (proxy_relation IN ('spouse', 'child', 'parent', 'other')),
    recipient_id_last4 TEXT,
    signature_image BLOB,
    signature_image_hash BLOB,
    photo BLOB,
    photo_hash BLOB,
    latitude REAL,
    longitude REAL,
    failure_reason TEXT CHECK (failure_reason IN ('not_home', 'refused', 'moved', 'no_id', 'other')),
    retry_on_ms INTEGER,
    staff_signature BLOB NOT NULL CHECK (length(staff_signature) = 64),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    CHECK (outcome = 'failed' OR (recipient_kind IS NOT NULL AND recipient_id_last4 IS NOT NULL
                                  AND signature_image_hash IS NOT NULL)),
    CHECK (outcome = 'delivered' OR (failure_reason IS NOT NULL)),
    CHECK (recipient_kind IS NOT 'proxy' OR (proxy_name IS NOT NULL AND proxy_relation IS NOT NULL))) STRICT;
CREATE INDEX delivery_certificate ON delivery_attempt(certificate_id);

CREATE TABLE aid_program(
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,   -- dibao 低保, tekun 特困, canji 残疾人补贴, gaoling 高龄津贴
    name TEXT NOT NULL,
    unpaid_rule TEXT NOT NULL CHECK (unpaid_rule IN ('carry_over', 'lapse')),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

CREATE TABLE disbursement_day(
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES community(id),
    local_date TEXT NOT NULL,                 -- YYYY-MM-DD, Asia/Shanghai
    prepared_by_staff_id TEXT NOT NULL REFERENCES staff(id),
    approved_by_staff_id TEXT REFERENCES staff(id),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    UNIQUE (community_id, local_date)) STRICT;

-- Who may run the day's sessions (two service-point staff, and the community's).
CREATE TABLE disbursement_roster(
    id TEXT PRIMARY KEY NOT NULL,
    disbursement_day_id TEXT NOT NULL REFERENCES disbursement_day(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    UNIQUE (disbursement_day_id, staff_id)) STRICT;

CREATE TABLE disbursement_session(
    id TEXT PRIMARY KEY NOT NULL,
    disbursement_day_id TEXT NOT NULL REFERENCES disbursement_day(id),
    device_id TEXT NOT NULL,
    staff_a_id TEXT NOT NULL REFERENCES staff(id),
    staff_b_id TEXT NOT NULL REFERENCES staff(id),
    opened_at_ms INTEGER NOT NULL,
    cash_issued_fen INTEGER NOT NULL CHECK (cash_issued_fen >= 0),
    cash_issued_notes TEXT NOT NULL,          -- denomination counts, e.g. "10000x5,5000x2"
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    CHECK (staff_a_id <> staff_b_id)) STRICT;

CREATE TABLE entitlement(
    id TEXT PRIMARY KEY NOT NULL,
    disbursement_day_id TEXT NOT NULL REFERENCES disbursement_day(id),
    beneficiary_id TEXT NOT NULL REFERENCES resident(id),
    program_id TEXT NOT NULL REFERENCES aid_program(id),
    period TEXT NOT NULL,                     -- YYYY-MM
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    session_id TEXT REFERENCES disbursement_session(id),   -- the one session it is assigned to
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    UNIQUE (beneficiary_id, program_id, period)) STRICT;
CREATE INDEX entitlement_day ON entitlement(disbursement_day_id);

-- Final once signed. A mistake is corrected by a reversal (kind 'reversal',
-- reverses_payment_id set), signed the same way; rows are never edited.
CREATE TABLE payment(
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'reversal')),
    entitlement_id TEXT NOT NULL REFERENCES entitlement(id),
    session_id TEXT NOT NULL REFERENCES disbursement_session(id),
    reverses_payment_id TEXT REFERENCES payment(id),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    paid_at_ms INTEGER NOT NULL,
    recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('beneficiary', 'proxy')),
    proxy_registration_id TEXT REFERENCES proxy_registration(id),
    payer_staff_id TEXT NOT NULL REFERENCES staff(id),
    verifier_staff_id TEXT NOT NULL REFERENCES staff(id),
    payer_signature BLOB NOT NULL CHECK (length(payer_signature) = 64),
    verifier_signature BLOB NOT NULL CHECK (length(verifier_signature) = 64),
    ack_name TEXT NOT NULL,
    ack_image BLOB NOT NULL,
    ack_image_hash BLOB NOT NULL CHECK (length(ack_image_hash) = 32),
    override_reason TEXT,                     -- paid from a session it was not assigned to
    reason TEXT,                              -- why a reversal
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    CHECK (payer_staff_id <> verifier_staff_id),
    CHECK (kind = 'payment' OR (reverses_payment_id IS NOT NULL AND reason IS NOT NULL)),
    CHECK (recipient_kind = 'beneficiary' OR proxy_registration_id IS NOT NULL)) STRICT;
CREATE INDEX payment_entitlement ON payment(entitlement_id);
CREATE INDEX payment_session ON payment(session_id);

CREATE TABLE session_closing(
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL UNIQUE REFERENCES disbursement_session(id),
    closed_at_ms INTEGER NOT NULL,
    expected_count INTEGER NOT NULL, expected_fen INTEGER NOT NULL,
    paid_count INTEGER NOT NULL, paid_fen INTEGER NOT NULL,
    reversed_count INTEGER NOT NULL, reversed_fen INTEGER NOT NULL,
    unpaid_count INTEGER NOT NULL, unpaid_fen INTEGER NOT NULL,
    cash_issued_fen INTEGER NOT NULL,
    cash_returned_fen INTEGER NOT NULL,
    cash_returned_notes TEXT NOT NULL,
    variance_fen INTEGER NOT NULL,            -- issued - (paid - reversed) - returned
    explanation TEXT,
    staff_a_signature BLOB NOT NULL CHECK (length(staff_a_signature) = 64),
    staff_b_signature BLOB NOT NULL CHECK (length(staff_b_signature) = 64),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    CHECK (variance_fen = 0 OR length(explanation) > 0)) STRICT;

CREATE TABLE unpaid_entitlement(
    id TEXT PRIMARY KEY NOT NULL,
    closing_id TEXT NOT NULL REFERENCES session_closing(id),
    entitlement_id TEXT NOT NULL REFERENCES entitlement(id),
    reason TEXT NOT NULL CHECK (reason IN ('absent', 'deceased', 'moved', 'refused', 'identity_unverified', 'other')),
    carried_over INTEGER NOT NULL CHECK (carried_over IN (0, 1)),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

-- 8+4 roster: one row a person a shift.
CREATE TABLE roster_shift(
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES community(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    local_date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('normal', 'early', 'late')),
    starts_at_ms INTEGER NOT NULL,
    ends_at_ms INTEGER NOT NULL,
    backup_staff_id TEXT REFERENCES staff(id),   -- AB角: B covers when A is away
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    CHECK (ends_at_ms > starts_at_ms)) STRICT;
CREATE INDEX roster_staff_date ON roster_shift(staff_id, local_date);

CREATE TABLE shift_check(
    id TEXT PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    community_id TEXT NOT NULL REFERENCES community(id),
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('in', 'out')),
    at_ms INTEGER NOT NULL,                   -- the device's clock
    shift_id TEXT REFERENCES roster_shift(id),  -- NULL: no matching shift (flagged, not refused)
    clock_skew_ms INTEGER,                    -- device clock minus last central time seen, if known
    flags TEXT NOT NULL DEFAULT '',           -- comma list: no_shift, clock_skew
    signature BLOB NOT NULL CHECK (length(signature) = 64),
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;
CREATE INDEX shift_check_staff ON shift_check(staff_id, at_ms);
)sql";

// Decisions central's admins take on disbursements, sent down to devices:
// a payment voided as the duplicate of a double payment (the row itself stays,
// as signed), and the overpaid amount to recover from the recipient.
constexpr const char* kV2 = R"sql(
CREATE TABLE payment_void(
    id TEXT PRIMARY KEY NOT NULL,
    payment_id TEXT NOT NULL UNIQUE REFERENCES payment(id),
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    decided_by_staff_id TEXT NOT NULL REFERENCES staff(id),
    decided_at_ms INTEGER NOT NULL,
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;

CREATE TABLE recovery_task(
    id TEXT PRIMARY KEY NOT NULL,
    payment_id TEXT NOT NULL UNIQUE REFERENCES payment(id),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    state TEXT NOT NULL CHECK (state IN ('open', 'recovered', 'written_off')),
    created_at_ms INTEGER NOT NULL,
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;
)sql";

// Staff keys with a lifecycle (docs/SECURITY.md): a person holds a key on
// each device they work on, each registered with a one-time enrolment code
// an admin issued to them and revoked by an admin; a record is verified
// against the key its signer held on the recording device when they signed.
// The old single key per person (staff.public_key) goes. Opening a
// disbursement session is signed by both its staff, as closing it is.
// Residents rate the service they received (citizen_rating).
constexpr const char* kV3 = R"sql(
CREATE TABLE staff_key(
    id TEXT PRIMARY KEY NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    device_id TEXT NOT NULL,              -- the device holding the private half
    public_key BLOB NOT NULL CHECK (length(public_key) = 32),
    enrolled_at_ms INTEGER NOT NULL,
    -- The enrolment code's public key, and its signature over the canonical
    -- StaffKeyRecord; NULL only for keys central registered itself (demo data).
    enrolment_key BLOB CHECK (enrolment_key IS NULL OR length(enrolment_key) = 32),
    enrolment_signature BLOB CHECK (enrolment_signature IS NULL OR length(enrolment_signature) = 64),
    revoked_at_ms INTEGER,                -- nothing signed after this verifies
    revoked_reason TEXT,
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    CHECK ((enrolment_key IS NULL) = (enrolment_signature IS NULL)),
    CHECK (revoked_at_ms IS NULL OR length(revoked_reason) > 0)) STRICT;
CREATE INDEX staff_key_holder ON staff_key(staff_id, device_id);

ALTER TABLE disbursement_session ADD COLUMN staff_a_signature BLOB
    CHECK (staff_a_signature IS NULL OR length(staff_a_signature) = 64);
ALTER TABLE disbursement_session ADD COLUMN staff_b_signature BLOB
    CHECK (staff_b_signature IS NULL OR length(staff_b_signature) = 64);

ALTER TABLE staff DROP COLUMN public_key;

-- A resident's rating of the service (群众评议), right after a delivery or a
-- payment: one per event, for the person who served them.
CREATE TABLE citizen_rating(
    id TEXT PRIMARY KEY NOT NULL,
    delivery_attempt_id TEXT UNIQUE REFERENCES delivery_attempt(id),
    payment_id TEXT UNIQUE REFERENCES payment(id),
    staff_id TEXT NOT NULL REFERENCES staff(id),
    level TEXT NOT NULL CHECK (level IN ('very_satisfied', 'satisfied', 'basically_satisfied',
                                         'dissatisfied', 'very_dissatisfied')),
    comment TEXT,
    rated_at_ms INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL,
    CHECK ((delivery_attempt_id IS NULL) <> (payment_id IS NULL))) STRICT;

-- Reference data as the offices keep it (docs/IMPORTS.md): the codes people
-- use for service points and staff (工号), staff phones; the center's
-- catalogue of services (7 categories, 58 items), each with its time limit
-- counted in working days on the working calendar below; and, for an
-- entitlement carried over unpaid, the day it was first due.
ALTER TABLE service_point ADD COLUMN code TEXT;
CREATE UNIQUE INDEX service_point_code ON service_point(code);
ALTER TABLE staff ADD COLUMN staff_number TEXT;
CREATE UNIQUE INDEX staff_number ON staff(staff_number);
ALTER TABLE staff ADD COLUMN phone TEXT;
ALTER TABLE certificate_type RENAME COLUMN due_days TO due_working_days;
ALTER TABLE certificate_type ADD COLUMN category TEXT NOT NULL DEFAULT '';
-- 立即办 immediate, 承诺办 promised by a date, 报送办 forwarded up.
ALTER TABLE certificate_type ADD COLUMN handling TEXT NOT NULL DEFAULT 'promised'
    CHECK (handling IN ('immediate', 'promised', 'forwarded'));
ALTER TABLE certificate_type ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
-- Exceptions to "Monday to Friday are working days": public holidays on
-- weekdays and the weekend days worked instead (调休). The id is the local
-- date itself, so a calendar imported twice is one calendar.
CREATE TABLE calendar_day(
    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 10),   -- YYYY-MM-DD, Asia/Shanghai
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL,
    origin_device TEXT NOT NULL, hlc INTEGER NOT NULL) STRICT;
ALTER TABLE entitlement ADD COLUMN carried_from_day_id TEXT REFERENCES disbursement_day(id);
)sql";

const store::Migration kMigrations[] = {
    {1, "replicated model", kV1},
    {2, "voided payments and recovery tasks", kV2},
    {3,
     "staff keys per device, signed session openings, citizen ratings, the offices' reference data",
     kV3},
};

}  // namespace

std::span<const store::Migration> migrations() {
    return kMigrations;
}

const std::vector<std::string>& replicated_tables() {
    static const std::vector<std::string> tables = {"service_point",
                                                    "community",
                                                    "grid",
                                                    "staff",
                                                    "household",
                                                    "resident",
                                                    "proxy_registration",
                                                    "certificate_type",
                                                    "certificate",
                                                    "custody_transfer",
                                                    "delivery_attempt",
                                                    "aid_program",
                                                    "disbursement_day",
                                                    "disbursement_roster",
                                                    "disbursement_session",
                                                    "entitlement",
                                                    "payment",
                                                    "session_closing",
                                                    "unpaid_entitlement",
                                                    "roster_shift",
                                                    "shift_check",
                                                    "payment_void",
                                                    "recovery_task",
                                                    "staff_key",
                                                    "citizen_rating",
                                                    "calendar_day"};
    return tables;
}

}  // namespace gridsync::domain
