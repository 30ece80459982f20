-- reset_seq: forget every incident's date-order rank, so build.finish numbers them all anew.
UPDATE incident SET seq = NULL
