#pragma once
// A table holding every built-in type (and domains, enums, composites,
// arrays of them), with rows at each type's edges: shared by types_test.cpp
// (the DuckDB mapping) and conformance_test.cpp (every target).
namespace wharf::test {

inline constexpr const char* kSchema = R"SQL(
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TYPE pair AS (n int, s text);
  CREATE DOMAIN posint AS int CHECK (VALUE > 0);
  CREATE DOMAIN price AS numeric(10,2);
  CREATE DOMAIN intlist AS int[];
  CREATE DOMAIN intmatrix AS int[][];
  CREATE TABLE typed (
    id int PRIMARY KEY,
    i2 smallint, i4 integer, i8 bigint, o oid, f4 real, f8 double precision,
    n numeric, n_p numeric(12,3), n_wide numeric(50,10), m money,
    t text, vc varchar(10), ch char(4), b boolean, by bytea, js json, jb jsonb,
    d date, ts timestamp, tz timestamptz, tm time, ttz timetz, iv interval,
    u uuid, ip inet, cid cidr, mac macaddr, bt bit(4), vb varbit,
    a_int int[], a_text text[], a_2d int[][], a_num numeric[], a_tz timestamptz[],
    a_inet inet[], a_jb jsonb[], a_box box[], a_bytea bytea[],
    e mood, a_e mood[], dom posint, dom_num price, dom_arr intlist, a_dom posint[],
    comp pair, rng int4range, tsv tsvector, x xml, dom_mat intmatrix, a_price price[]);
)SQL";

inline constexpr const char* kColumns =
    "i2, i4, i8, o, f4, f8, n, n_p, n_wide, m, t, vc, ch, b, by, js, jb, d, ts, tz, tm, ttz, iv,"
    " u, ip, cid, mac, bt, vb, a_int, a_text, a_2d, a_num, a_tz, a_inet, a_jb, a_box, a_bytea,"
    " e, a_e, dom, dom_num, dom_arr, a_dom, comp, rng, tsv, x, dom_mat, a_price";

// Rows 1-4 hold values every mapping keeps; rows 5-10 values the default mapping cannot hold.
// Literals carry explicit offsets and ISO dates, so they mean the same in any session.
inline constexpr const char* kRows = R"SQL(
INSERT INTO typed VALUES
(1, 32767, 2147483647, 9223372036854775807, 4294967295, 3.4028235e38, 1.7976931348623157e308,
 '12345678901234567890123456789.123456789', 123456789.125,
 '1234567890123456789012345678901234567890.0123456789',
 '92233720368547758.07', 'héllo ☃ 😀 "q" \ end', 'abc', 'ab', true, '\xdeadbeef00',
 '{"a": null, "n": 12345678901234567890, "deep": {"x": [null, {"y": null}]}}',
 '{"a": null, "n": 12345678901234567890, "deep": {"x": [null, {"y": null}]}}',
 '0044-03-15 BC', '2024-02-29 23:59:59.999999', '1999-12-31 19:00:00-05', '24:00:00',
 '23:59:59.999999+15:59', '178956970 years 7 mons 2147483647 days 2562047788:00:54.775807',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.1.1/24', '10.0.0.0/8', '08:00:2b:01:02:03',
 B'1010', B'10101',
 '{1,2,NULL}', '{"a b","c\"d",NULL,"NULL","","x\\y","{}"}', '{{1,2},{3,4}}', '{1.5,-2.25,NULL}',
 '{"2000-01-01 05:45:00+05:45",infinity,NULL}', '{10.0.0.1/8,::1}',
 '{"{\"a\": null, \"n\": 12345678901234567890}","null",NULL}',
 '{(1,1),(0,0);(2,2),(1,1)}', '{"\\xdead",NULL,"\\x"}',
 'happy', '{sad,happy,NULL}', 5, 12345678.91, '{7,8}', '{1,2}', ROW(1, 'x, "y"'), '[1,10)',
 'a fat cat', '<a>1</a>', '{{1,2},{3,4}}', '{1.5,NULL}'),
(2, -32768, -2147483648, -9223372036854775808, 0, '-Infinity', 'NaN',
 '-0.000000001', -999999999.999, '-1234567890123456789012345678901234567890.0123456789',
 '-92233720368547758.08', '', '', '', false, '\x', 'null', '[]',
 'infinity', '-infinity', 'infinity', '00:00:00', '00:00:00-15:59', '1 mon -30 days',
 '00000000-0000-0000-0000-000000000000', '::1', '::/0', 'ff:ff:ff:ff:ff:ff', B'0000', B'',
 '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}',
 'sad', '{}', 1, -99999999.99, '{}', '{}', ROW(NULL, NULL), 'empty', '', '', '{}', '{}'),
(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, 'null', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, '{NULL}', NULL, NULL, NULL, NULL, '{NULL}', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(4, 0, 0, 0, 0, 'NaN', 'Infinity', '4713', 0.001, 'NaN', '0.00', 'NULL', 'NULL', 'x', NULL,
 '\x00', '"str"', '{"k": [1, null, "x"]}',
 '4713-11-24 BC', '0044-03-15 12:00:00 BC', '1900-01-01 00:00:00+05:41:16', '12:34:56.789',
 '12:00:00+05:45', '-178956970 years -8 mons -2147483648 days -2562047788:00:54.775807',
 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '0.0.0.0/0', '192.168.0.0/16', '00:00:00:00:00:00',
 B'1111', B'1',
 '{-2147483648,2147483647}', '{"\\\\","\"",",",";","{","}"," "}', '{{NULL,NULL}}',
 '{0.000000001}', '{"0044-03-15 12:00:00+00 BC","1900-01-01 00:00:00+05:41:16"}', '{NULL}',
 '{"[]","{}","\"\""}', '{NULL}', '{"\\x00ff"}',
 'ok', '{ok}', 2147483647, 0, '{NULL}', '{NULL,3}', ROW(-1, ''), '(,)', 'a:1A b:2', '<x/>',
 '{{NULL}}', '{-99999999.99}');
INSERT INTO typed (id, n, n_p, a_int, a_2d, a_num, ts, d) VALUES
(5, 'NaN', 'NaN', '[0:1]={1,2}', '{1,2}', '{1.5,NaN}', '294276-12-31 23:59:59.999999',
 '5874897-12-31'),
(6, 'Infinity', NULL, '{{1,2},{3,4}}', '{{{1}}}', '{1e-10}', NULL, NULL),
(7, '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL),
(8, ('1' || repeat('0', 999))::numeric, NULL, NULL, NULL, NULL, NULL, NULL),
(9, ('-0.' || repeat('0', 998) || '1')::numeric, NULL, NULL, NULL, NULL, NULL, NULL),
(10, ('1' || repeat('0', 29) || '.5')::numeric, NULL, NULL, NULL, NULL, NULL, NULL);
)SQL";

}  // namespace wharf::test
