# test/ml: LOBSTER export, research splits and labels, and the Python package
# (tools/mlpy: loader, LOBSTER reader, torch Datasets, the training example).
TEST_SCRIPTS += test/ml/ml.sh
