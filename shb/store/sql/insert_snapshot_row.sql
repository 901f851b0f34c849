-- statement: the one row that says which version a snapshot is and what it was built from
-- parameters: $version, $demo, $built
insert into snapshot values ($version, now(), $demo, $built)
