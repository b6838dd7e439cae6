"""An eligible RESORT patient's screening data, shared by the tests that record small trials."""

import datetime as dt

#: The day the small recorded trials screen and randomise everyone.
DAY0 = dt.date(2020, 3, 2)

#: Screening data of an eligible patient (stratum >12m, lung, single), as ``screen`` takes it.
ELIGIBLE = {"birth_date": dt.date(1960, 5, 1), "sex": "male", "prior_nephrectomy": True,
            "nephrectomy_date": dt.date(2016, 1, 10), "histology": "clear_cell_predominant",
            "metastases_diagnosis_date": dt.date(2019, 11, 1), "metastasis_site": "lung",
            "metastases_resected": 1, "resection_complete": True,
            "metastasectomy_date": dt.date(2020, 1, 20)}
