-- match_country: victim country c is one of the selected (an empty list: any).
CREATE MACRO match_country(f, c) AS
    len(f['countries']) = 0 OR list_contains(f['countries'], c)
