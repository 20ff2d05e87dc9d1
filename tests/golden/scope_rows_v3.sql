-- Rows for the scope-digest and UPDATE-changeset golden vectors
-- (tests/sync/vectors_test.cpp, docs/PROTOCOL.md "Golden vectors"): load
-- them into an empty database of schema v3 (tests/golden/schema_v3.sql),
-- then the digest over every row is scope_digest_v3.hex; the session
-- changeset of the UPDATE at the end is changeset_update_v3.hex.
INSERT INTO service_point(id, name, origin_device, hlc) VALUES
  ('sp-1', '民生路服务点', 'central', 117707744870400000);
INSERT INTO community(id, code, name, service_point_id, origin_device, hlc) VALUES
  ('c-1', 'C01', '民生路社区', 'sp-1', 'central', 117707744870400001);
INSERT INTO grid(id, community_id, name, leader_staff_id, origin_device, hlc) VALUES
  ('g-1', 'c-1', '民生路社区第1网格', NULL, 'central', 117707744870400002);
INSERT INTO household(id, grid_id, address, origin_device, hlc) VALUES
  ('h-1', 'g-1', '民生路12号3单元502', 'central', 117707744870400003),
  ('h-2', 'g-1', '民生路14号1单元101', 'central', 117707744870400004);
INSERT INTO resident(id, household_id, name, id_digest, id_last4, phone, origin_device, hlc) VALUES
  ('r-1', 'h-1', '张三', zeroblob(32), '001X', NULL, 'central', 117707744870400005),
  ('r-2', 'h-2', '李四', x'0101010101010101010101010101010101010101010101010101010101010101', '0023', '13800000000', 'central', 117707744870400006);
-- The UPDATE (captured by a session on resident only):
-- UPDATE resident SET phone = '13900000001', origin_device = 'device-1', hlc = 117707744870400007 WHERE id = 'r-1';
