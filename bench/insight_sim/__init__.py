"""Independent simulation harness for the trigger analysis (issue #12, deliverable 6).

Written by someone who did not write the model and who reads only its public entry
points. See ``README.md`` here for how to run it and the recorded results.
"""
