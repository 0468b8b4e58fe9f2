"""Korean review sentiment (seed 000 §4.2): a model the project trains, keywords and aspects."""
