"""Question files: GIFT (:mod:`.gift`) and Moodle XML (:mod:`.moodlexml`) over :mod:`.model`."""
