# Mirrors tensorflow/tensorflow tensorflow/tf_version.bzl (v2.16.1): TF_VERSION only.
TF_VERSION = "2.16.1"
