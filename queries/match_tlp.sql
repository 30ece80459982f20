-- match_tlp: TLP marking t is one the TLP filter selects (an empty list: any) and one the clearance allows
-- (f.clearance: the markings up to the cleared one; NULL: any).
CREATE MACRO match_tlp(f, t) AS
    (len(f['tlps']) = 0 OR list_contains(f['tlps'], t)) AND (f['clearance'] IS NULL OR list_contains(f['clearance'], t))
