-- Issue 18: names and places in the resident's script. The register's name in alphabet, as the
-- residence record has it for foreign residents (family and given part), and a shelter's name and
-- address for non-Japanese screens (romanised or translated). All optional.
ALTER TABLE residents ADD COLUMN family_name_latin text;
ALTER TABLE residents ADD COLUMN given_name_latin text;
ALTER TABLE shelters ADD COLUMN name_latin text;
ALTER TABLE shelters ADD COLUMN address_latin text;
