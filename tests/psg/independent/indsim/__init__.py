"""An independent sleep-study simulator and scorer (issue #13, deliverable 8).

Written from ``../shared/SCORING.md`` and physiology by someone who did not read the
detectors or ``nachtwacht.psg.simulate``, so that both can be checked against a
second, differently built set of nights. Modules:

- :mod:`indsim.hypnogram`: stage sequences (real Dreem expert scorings, windows of them);
- :mod:`indsim.signals`: background physiology and artefacts (EEG, EOG, EMG, ECG,
  breathing, SpO2, mains hum, baseline wander, pops, twitches);
- :mod:`indsim.events`: planting events with exact ground truth;
- :mod:`indsim.nights`: the clean, heavy-noise and short-event nights;
- :mod:`indsim.adapter`: the only file that touches the product (Recording, analyse);
- :mod:`indsim.score`: matching, sensitivity/precision/F1 and headline indices;
- :mod:`indsim.reference`: plain measurements proving the planted truth meets its rules.
"""
