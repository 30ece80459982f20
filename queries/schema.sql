-- schema: the Threatscape incident store; every database file is created by running this once.
-- Counting rule: a total counts distinct incidents; a per-sector count counts an incident once
-- in each sector it hit (incident_sector / sector_mask), so sector counts may add up to more.

CREATE TABLE dataset (
    -- one row: what this database is
    kind              VARCHAR NOT NULL CHECK (kind IN ('demo', 'sources')),
    description       VARCHAR NOT NULL,
    built_at          TIMESTAMPTZ NOT NULL,
    content_version   VARCHAR NOT NULL,   -- changes whenever any incident, actor or sector changes
    alias_map_version VARCHAR NOT NULL,   -- e.g. 'misp-galaxy threat-actor v336'
    schema_version    INTEGER NOT NULL,
    app_version       VARCHAR NOT NULL
);

CREATE TABLE sector (
    sector_id   UTINYINT PRIMARY KEY CHECK (sector_id < 64),  -- bit position in incident.sector_mask
    name        VARCHAR NOT NULL UNIQUE,                       -- 'oil and gas'
    parent      VARCHAR,                                       -- 'energy'; NULL for a top-level sector
    top         VARCHAR NOT NULL,                              -- parent, or the sector itself
    rollup_mask UBIGINT NOT NULL                               -- its own bit and its children's bits
);

CREATE TABLE actor (
    actor_id        INTEGER PRIMARY KEY,
    name            VARCHAR NOT NULL UNIQUE,  -- canonical name (the MISP galaxy's value)
    sponsor_country VARCHAR CHECK (sponsor_country IS NULL OR regexp_full_match(sponsor_country, '[A-Z]{2}')),
    motivation      VARCHAR,
    galaxy_uuid     VARCHAR,                  -- NULL for a name that no alias map resolved
    resolved        BOOLEAN NOT NULL          -- false: kept as reported, flagged unresolved
);

CREATE TABLE actor_alias (
    actor_id  INTEGER NOT NULL REFERENCES actor (actor_id),
    alias     VARCHAR NOT NULL,               -- 'Emerald Sleet'
    alias_key VARCHAR NOT NULL,               -- lower-case letters and digits only: 'emeraldsleet'
    source    VARCHAR NOT NULL,               -- where the alias comes from
    PRIMARY KEY (actor_id, alias_key)
);

CREATE TABLE alias_decision (
    -- the team's decisions about names as sources write them (threatscape/resolver.py), applied to every
    -- incident that reports the name; undoing one keeps its row, with undone_at set
    decision_id INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,         -- the name as reported
    decision    VARCHAR NOT NULL CHECK (decision IN ('map', 'placeholder', 'new')),
    actor       VARCHAR,                  -- 'map': the actor it names; 'new': the new actor's name
    reason      VARCHAR NOT NULL,
    decided_by  VARCHAR NOT NULL,
    decided_at  TIMESTAMPTZ NOT NULL,
    undone_by   VARCHAR,
    undone_at   TIMESTAMPTZ
);

CREATE TABLE ingest_log (
    -- one row per file of each ingest: what it brought (read = added + updated + duplicates + merged + rejected)
    ingested_at TIMESTAMPTZ NOT NULL,
    source      VARCHAR NOT NULL,
    file        VARCHAR NOT NULL,         -- the file's name (no folder)
    format      VARCHAR NOT NULL,
    read        BIGINT NOT NULL,
    added       BIGINT NOT NULL,
    updated     BIGINT NOT NULL,
    duplicates  BIGINT NOT NULL,
    merged      BIGINT NOT NULL,
    rejected    BIGINT NOT NULL
);

CREATE TABLE incident (
    -- incident_id and source_url are compressed with ZSTD: on these unique, prefix-sharing strings it writes
    -- them in about half the CPU time of DuckDB's default (DICT_FSST), in less space (docs/benchmarks.md).
    incident_id       VARCHAR NOT NULL USING COMPRESSION zstd,  -- stable and unique (checked by build.finish): the source's own id, else derived from content
    occurred_on       DATE NOT NULL,          -- first day of the day, month or year it happened
    date_precision    VARCHAR NOT NULL CHECK (date_precision IN ('day', 'month', 'year')),
    actor_id          INTEGER NOT NULL,       -- canonical actor (actor.actor_id); 0: unattributed (no actor named)
    actor_as_reported VARCHAR NOT NULL,       -- the name the source used
    sector_mask       UBIGINT NOT NULL,       -- bit sector_id set for each sector hit (= incident_sector)
    victim_country    VARCHAR CHECK (victim_country IS NULL OR regexp_full_match(victim_country, '[A-Z]{2}')),
    campaign          VARCHAR,
    title             VARCHAR NOT NULL,
    summary           VARCHAR,
    confidence        UTINYINT CHECK (confidence <= 100),  -- attribution confidence, 0-100
    tlp               VARCHAR NOT NULL CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
    source            VARCHAR NOT NULL,
    source_url        VARCHAR USING COMPRESSION zstd,
    seq               BIGINT,                 -- rank in (occurred_on, incident_id) order, set by build.finish;
                                              -- the explorer pages on it (keyset), newest or oldest first
    actor_match       VARCHAR,                -- the alias that actor_as_reported matched and the rule that matched it,
                                              -- 'Fancy Bear [exact]' (NULL: none; threatscape/resolver.py);
                                              -- the map itself is dataset.alias_map_version
    sponsor_as_reported VARCHAR CHECK (sponsor_as_reported IS NULL OR regexp_full_match(sponsor_as_reported, '[A-Z]{2}'))
                                              -- the sponsor state the source named (--map sponsor=COLUMN); the
                                              -- directory's is actor.sponsor_country, and both are kept
);

CREATE VIEW incident_sector AS
-- one row for each sector an incident hit: the normalised form of incident.sector_mask, derived from it
-- (a view, so the two can never disagree and a write does not spend time storing it)
SELECT i.incident_id, s.sector_id
FROM incident AS i
JOIN sector AS s ON i.sector_mask & (1::UBIGINT << s.sector_id) <> 0;

CREATE TABLE tlp_level (
    -- each TLP marking and every level at or above it: a summary row of level tlp_max counts the incidents marked
    -- tlp_max or below (CLEAR < GREEN < AMBER < AMBER+STRICT < RED), so that a reader cleared to a level, or a
    -- TLP filter of "this marking and those below", reads one level's rows, as many as all incidents' (RED's)
    tlp     VARCHAR NOT NULL,
    tlp_max UTINYINT NOT NULL  -- a level by its marking's rank: 0 CLEAR, 1 GREEN, 2 AMBER, 3 AMBER+STRICT, 4 RED
);
INSERT INTO tlp_level
SELECT t.tlp, m.r
FROM (VALUES ('CLEAR', 0), ('GREEN', 1), ('AMBER', 2), ('AMBER+STRICT', 3), ('RED', 4)) AS t(tlp, r)
JOIN (VALUES ('CLEAR', 0), ('GREEN', 1), ('AMBER', 2), ('AMBER+STRICT', 3), ('RED', 4)) AS m(tlp, r) ON t.r <= m.r;

-- Summaries that build.finish derives from the tables above whenever a database is written (demo or
-- ingest), so that whole-history questions and campaign spans do not scan every incident.
CREATE TABLE campaign (
    -- one row per campaign name: the span of all its incidents
    tlp_max    UTINYINT NOT NULL,  -- the span of its incidents marked at most this TLP (tlp_level)
    campaign   VARCHAR NOT NULL,
    actor_id   INTEGER,           -- its actor; NULL for a campaign that several actors share
    first_seen DATE NOT NULL,
    last_seen  DATE NOT NULL,
    incidents  BIGINT NOT NULL,
    victim_countries VARCHAR[]    -- the victim countries of its incidents, sorted (NULL: none known)
);

CREATE TABLE campaign_part (
    -- one row per campaign, actor, sector combination and victim country: the span and size of those
    -- incidents of the campaign
    campaign       VARCHAR NOT NULL,
    actor_id       INTEGER NOT NULL,
    sector_mask    UBIGINT NOT NULL,
    victim_country VARCHAR,
    tlp_max        UTINYINT NOT NULL,  -- counts the incidents marked at most this TLP (tlp_level)
    first_seen DATE NOT NULL,
    last_seen  DATE NOT NULL,
    incidents  BIGINT NOT NULL
);

CREATE TABLE shared_campaign_part (
    -- campaign_part by campaign, actor and victim country, for the campaigns that several actors share
    -- (campaign.actor_id NULL)
    tlp_max     UTINYINT NOT NULL,  -- of the incidents marked at most this TLP (tlp_level)
    campaign    VARCHAR NOT NULL,
    actor_id    INTEGER NOT NULL,
    victim_country VARCHAR,
    first_seen  DATE NOT NULL,
    last_seen   DATE NOT NULL,
    incidents   BIGINT NOT NULL
);

CREATE TABLE actor_summary (
    -- one row per TLP level and actor with incidents at it: its whole history
    tlp_max    UTINYINT NOT NULL,  -- of the incidents marked at most this TLP (tlp_level)
    actor_id   INTEGER NOT NULL,
    incidents  BIGINT NOT NULL,
    first_seen DATE NOT NULL,
    last_seen  DATE NOT NULL,
    campaigns  BIGINT NOT NULL
);

CREATE TABLE victim_country_summary (
    -- one row per TLP level and victim country: how many incidents hit it (all time)
    tlp_max        UTINYINT NOT NULL,  -- of the incidents marked at most this TLP (tlp_level)
    victim_country VARCHAR NOT NULL,
    incidents      BIGINT NOT NULL
);

CREATE TABLE sector_mask_name (
    -- one row per sector combination in incident.sector_mask: its sectors' names joined by '; '
    sector_mask UBIGINT NOT NULL,
    sectors     VARCHAR NOT NULL
);

CREATE TABLE sector_mask_filter (
    -- for each sector combination in incident.sector_mask, every one-sector filter it matches: the
    -- rollup_mask of each sector it hits, or lies below (energy for 'oil and gas')
    sector_mask   UBIGINT NOT NULL,
    sector_filter UBIGINT NOT NULL
);

CREATE TABLE incident_month (
    -- incidents counted by month, actor, victim country and date precision, with every sector they hit
    -- (bit_or of sector_mask): whole months of the overview's counts come from here, not from incident.
    -- Once for all incidents (sector_filter 0) and once for each one-sector filter (sector_mask_filter),
    -- counting only the incidents that hit that sector or one below it.
    sector_filter  UBIGINT NOT NULL,
    month          DATE NOT NULL,     -- first day of the month of occurred_on
    actor_id       INTEGER NOT NULL,
    victim_country VARCHAR,
    date_precision VARCHAR NOT NULL,
    tlp_max        UTINYINT NOT NULL,  -- counts the incidents marked at most this TLP (tlp_level)
    incidents      BIGINT NOT NULL,
    sector_bits    UBIGINT NOT NULL
);

CREATE TABLE country_month (
    -- incident_month without actor and precision: incidents by sector filter, month and victim country
    sector_filter  UBIGINT NOT NULL,
    month          DATE NOT NULL,
    victim_country VARCHAR,
    tlp_max        UTINYINT NOT NULL,  -- counts the incidents marked at most this TLP (tlp_level)
    incidents      BIGINT NOT NULL
);

CREATE TABLE incident_day (
    -- incidents by TLP level, day, actor, victim country and date precision, with every sector they hit: the days
    -- at either end of a range for incident_group
    day            DATE NOT NULL,     -- occurred_on
    actor_id       INTEGER NOT NULL,
    victim_country VARCHAR,
    date_precision VARCHAR NOT NULL,
    tlp_max        UTINYINT NOT NULL,  -- counts the incidents marked at most this TLP (tlp_level)
    incidents      BIGINT NOT NULL,
    sector_bits    UBIGINT NOT NULL
);

CREATE TABLE country_day (
    -- incidents by TLP level, day and victim country: the days at either end of a range for country_group
    day            DATE NOT NULL,
    victim_country VARCHAR,
    tlp_max        UTINYINT NOT NULL,  -- counts the incidents marked at most this TLP (tlp_level)
    incidents      BIGINT NOT NULL
);

CREATE TABLE actor_day (
    -- incidents by TLP level, day and actor, with the victim countries as bits (as in actor_month): the days at
    -- either end of a range for actor_group
    day          DATE NOT NULL,
    actor_id     INTEGER NOT NULL,
    tlp_max        UTINYINT NOT NULL,  -- counts the incidents marked at most this TLP (tlp_level)
    incidents    BIGINT NOT NULL,
    month_dated  BIGINT NOT NULL,
    year_dated   BIGINT NOT NULL,
    sector_bits  UBIGINT NOT NULL,
    country_bits BIT
);

CREATE TABLE actor_month (
    -- incident_month without country and precision: incidents by sector filter, month and actor, with
    -- how many are dated only to the month or to the year, the sectors hit and the victim countries hit
    -- (bit (first letter - 'A') * 26 + (second - 'A') set for each country's ISO code; NULL when none is known)
    sector_filter UBIGINT NOT NULL,
    month         DATE NOT NULL,
    actor_id      INTEGER NOT NULL,
    tlp_max        UTINYINT NOT NULL,  -- counts the incidents marked at most this TLP (tlp_level)
    incidents     BIGINT NOT NULL,
    month_dated   BIGINT NOT NULL,
    year_dated    BIGINT NOT NULL,
    sector_bits   UBIGINT NOT NULL,
    country_bits  BIT
);

CREATE TABLE campaign_actor_change (
    -- as campaign_change, per actor, for the campaigns of one actor only (campaign.actor_id not NULL)
    tlp_max  UTINYINT NOT NULL,  -- of the incidents marked at most this TLP (tlp_level)
    actor_id INTEGER NOT NULL,
    day      DATE NOT NULL,
    started  BIGINT NOT NULL,
    ended    BIGINT NOT NULL
);

CREATE TABLE campaign_change (
    -- one row per day on which a campaign starts or ends: its whole span (campaign table) under
    -- sector_filter 0, and the span of its incidents that match the filter under each one-sector filter
    tlp_max       UTINYINT NOT NULL,  -- the spans of the incidents marked at most this TLP (tlp_level)
    sector_filter UBIGINT NOT NULL,
    day     DATE NOT NULL,
    started BIGINT NOT NULL,   -- campaigns whose first incident is on this day
    ended   BIGINT NOT NULL    -- campaigns whose last incident is on this day
);

CREATE TABLE campaign_country_change (
    -- campaign_change within one victim country: one row per country, filter and day on which a campaign's
    -- span in that country starts or ends, for all its incidents there (sector_filter 0) and for those that
    -- match each one-sector filter (a one-country filter's active and concurrent campaigns)
    tlp_max        UTINYINT NOT NULL,  -- of the incidents marked at most this TLP (tlp_level)
    victim_country VARCHAR NOT NULL,
    sector_filter  UBIGINT NOT NULL,
    day            DATE NOT NULL,
    started        BIGINT NOT NULL,
    ended          BIGINT NOT NULL
);

CREATE TABLE incident_month_mask (
    -- incidents counted by month, actor and sector combination: whole months of the sector counts
    -- (heatmap, sector facets, sectors over time) come from here, not from incident
    month       DATE NOT NULL,
    actor_id    INTEGER NOT NULL,
    sector_mask UBIGINT NOT NULL,
    tlp_max     UTINYINT NOT NULL,  -- counts the incidents marked at most this TLP (tlp_level)
    incidents   BIGINT NOT NULL
);
