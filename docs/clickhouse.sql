-- dnsblame verdicts in ClickHouse: one row per line of
-- `dnsblame --format ndjson`, loaded as dnsblame writes it.
--
-- Written for, and tested against, Debian 12's clickhouse-server 18.16.1
-- (tests/integration/clickhouse.sh loads the lab captures and checks the
-- counts against the report's summary).  Create the table with
--
--     clickhouse-client --multiquery < docs/clickhouse.sql
--
-- and load a report with
--
--     dnsblame -r capture.pcap --format ndjson -o verdicts.ndjson
--     clickhouse-client --query "INSERT INTO dnsblame_verdicts FORMAT JSONEachRow" \
--         --input_format_skip_unknown_fields=1 \
--         --input_format_import_nested_json=1 < verdicts.ndjson
--
-- Both settings are needed:
--   input_format_skip_unknown_fields=1  members without a column are
--       skipped: the arrays of objects (`upstream`, `ede`) and the members
--       of the summary record.  Without it the INSERT fails at the first.
--   input_format_import_nested_json=1   fills the `repeats.*` and
--       `dnssec.*` columns from the objects `repeats` and `dnssec`.
--       Without it they stay empty, silently.
--
-- clickhouse-client inserts what it reads from a pipe in blocks of
-- max_insert_block_size rows (1,048,576) and at its end, so the NDJSON of a
-- live capture (`-i`) piped into it shows up only when the capture stops.
-- For a running capture, write to a file with `-o`, rotate it (SIGHUP
-- reopens it) and load each rotated file.
--
-- Rows.  Every verdict record is a row: `type` is 'servfail', 'unanswered'
-- or 'pending'.  The last record of each run, {"type": "summary", ...}, is
-- a row too, with type 'summary', the capture's last packet as its `time`
-- and every other column empty or zero; so are the {"type": "stats"}
-- records of --interval (`time`: the end of the span) and a
-- {"type": "truncated"} record (no time: its ts is 2000-01-01 00:00:00,
-- what 18.16's parseDateTimeBestEffort makes of an empty string).  Queries
-- filter on type.  Nothing in a record names the capture it came from: load captures
-- of different resolvers into one table and tell them apart by `resolver`,
-- or give each run its own database.
--
-- Not loaded: `upstream` (the upstream attempts) and `ede` (Extended DNS
-- Errors) are arrays of objects, which 18.16's JSONEachRow cannot read
-- into columns (input_format_import_nested_json expects an object of
-- arrays, {"upstream": {"server": [...], ...}}), so the upstream servers
-- of a verdict are not in the table; `upstream_total` counts them.
-- `explanation` is loaded; it is prose, for reading, not for grouping.
--
-- Column types.  Times are ISO 8601 UTC strings with microseconds
-- ("2026-12-06T11:59:11.319612Z").  18.16 has no sub-second DateTime, and a
-- DateTime column does not take that text unless every INSERT also sets
-- date_time_input_format=best_effort, so `time` is kept as it is (String:
-- exact, and it sorts in time order) and `ts` is computed from it at insert.
-- ts is a DateTime('UTC'): shown, and cut by toStartOfMinute and the like,
-- in UTC whatever the server's time zone (but 18.16's formatDateTime
-- formats it in the server's time zone).
-- Addresses are strings: IPv4 and IPv6 share the columns, and 18.16 has no
-- type for both.  Strings rather than Enum for type, cause, detail, via:
-- a value a later dnsblame adds must not make the INSERT fail.

CREATE TABLE IF NOT EXISTS dnsblame_verdicts
(
	type              String,   -- "type": servfail, unanswered, pending, summary
	time              String,   -- "time": when the resolver answered (or gave up)
	ts                DateTime('UTC') MATERIALIZED parseDateTimeBestEffort(time),
	                            -- `time` to the second; not in SELECT *
	query_time        String,   -- "query_time": when the client asked
	latency_ms        Float64,  -- "latency_ms": time - query_time
	client            String,   -- "client"
	client_port       UInt16,   -- "client_port"
	resolver          String,   -- "resolver"
	transport         String,   -- "transport": udp, tcp
	id                UInt16,   -- "id": DNS message id
	qname             String,   -- "qname": lower case, trailing dot
	qtype             String,   -- "qtype": A, AAAA, TYPE65534, ...
	cause             String,   -- "cause": timeout, blocked_port, ...
	detail            String,   -- "detail": refused, tcp_reset, ...
	confidence        String,   -- "confidence": high, medium, low
	zone              String,   -- "zone": where it failed (deepest zone named
	                            -- by the evidence)
	via               String,   -- "via": upstream, failure_cache, held_down,
	                            -- coalesced; '' when absent (nothing known
	                            -- of how it came about: no_upstream)
	upstream_total    UInt32,   -- "upstream_total": upstream attempts seen
	explanation       String,   -- "explanation"
	dnssec_proven_at  String,   -- "dnssec_proven_at"; '' when absent

	-- "repeats": the root failure a repeat repeats; '' when absent.
	`repeats.time`    String,
	`repeats.qname`   String,
	`repeats.qtype`   String,
	`repeats.cause`   String,
	`repeats.detail`  String,

	-- "dnssec": the DNSSEC chain check, when one ran; '' and 0 when absent.
	`dnssec.failure_found` UInt8,   -- true is 1, false 0
	`dnssec.detail`   String,   -- bad_signature, ds_mismatch, ...
	`dnssec.zone`     String,
	`dnssec.owner`    String,
	`dnssec.type`     String,
	`dnssec.signer`   String,
	`dnssec.key_tag`  UInt16,
	`dnssec.algorithm` UInt8
)
ENGINE = MergeTree()
PARTITION BY toYYYYMM(ts)
ORDER BY (ts, time);    -- time order, to the microsecond

-- Old months go with ALTER TABLE dnsblame_verdicts DROP PARTITION 202611
-- (18.16 has no TTL).
--
-- Example queries (tests/integration/clickhouse.sh runs each one):
-- examples begin
--
-- SERVFAILs by cause, per minute:
--   SELECT toStartOfMinute(ts) AS minute, cause, count() AS servfails
--   FROM dnsblame_verdicts
--   WHERE type = 'servfail'
--   GROUP BY minute, cause
--   ORDER BY minute, servfails DESC;
--
-- The zones that fail most, and how:
--   SELECT zone, cause, detail, count() AS servfails,
--          uniqExact(client) AS clients
--   FROM dnsblame_verdicts
--   WHERE type = 'servfail'
--   GROUP BY zone, cause, detail
--   ORDER BY servfails DESC
--   LIMIT 20;
--
-- The root failures behind most SERVFAILs: a repeat (an answer from the
-- failure cache, a held-down zone, a coalesced query) counts for the
-- failure it repeats, whose cause and detail it carries:
--   SELECT if(repeats.time = '', qname, repeats.qname) AS root_qname,
--          cause, detail, count() AS servfails,
--          countIf(repeats.time != '') AS repeats
--   FROM dnsblame_verdicts
--   WHERE type = 'servfail'
--   GROUP BY root_qname, cause, detail
--   ORDER BY servfails DESC
--   LIMIT 20;
--
-- examples end
