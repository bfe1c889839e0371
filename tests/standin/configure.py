"""Stand-in for TensorFlow's ``configure.py``: the questions a CPU/Android setup meets, as the real one asks them.

Copied into the fake checkout by ``workspace.py``. Like the real script it
needs ``bazel`` (or ``bazelisk``) on PATH and runs ``bazel --version``; takes
each answer from its environment variable, else from stdin (end of input: the
default); checks paths the way the real one does (the NDK's
``source.properties`` with ``Pkg.Revision`` and ``meta/platforms.json``; the
SDK's ``platforms/`` and ``build-tools/``, the chosen ``android-<level>`` and
build-tools version); and writes ``.tf_configure.bazelrc`` (truncated first,
then appended line by line, as the real one does) and
``tools/python_bin_path.sh`` under ``--workspace``. The real one re-asks an
invalid answer up to 10 times and then raises; this raises at once.
CUDA, ROCm and a clang host compiler are refused: only the Android path is
modelled.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys


class UserInputError(Exception):
    pass


def ask(env, name, question, default, check=lambda v: True, error="%s is invalid"):
    value = env.get(name)
    if value is None:
        try:
            value = input("%s [Default is %s]: " % (question, default))
        except EOFError:
            value = ""
    value = value or default
    if not check(value):
        print(error % value)
        raise UserInputError("Invalid %s setting was provided 10 times in a row." % name)
    env[name] = value
    return value


def yes(env, name, question, default):
    answer = ask(env, name, question + (" [Y/n]" if default else " [y/N]"), "y" if default else "n")
    if answer.strip().lower() in ("1", "t", "true", "y", "yes"):
        return True
    if answer.strip().lower() in ("0", "f", "false", "n", "no"):
        return False
    raise UserInputError("Environment variable %s must be set as a boolean indicator." % name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspace", default=os.path.abspath(os.path.dirname(__file__)))
    workspace = parser.parse_args().workspace
    rc_path = os.path.join(workspace, ".tf_configure.bazelrc")
    env = dict(os.environ)

    bazel = shutil.which("bazel") or shutil.which("bazelisk")
    if bazel is None:
        print("Cannot find bazel. Please install bazel/bazelisk.")
        sys.exit(1)
    version = subprocess.run([bazel, "--version"], capture_output=True, text=True).stdout.strip()
    print("You have %s installed." % version)

    open(rc_path, "w").close()

    def write(line):
        with open(rc_path, "a") as f:
            f.write(line + "\n")

    def action_env(name, value):
        write('build --action_env %s="%s"' % (name, value))

    python = ask(env, "PYTHON_BIN_PATH", "Please specify the location of python.", sys.executable,
                 lambda p: os.path.isfile(p) and os.access(p, os.X_OK), "Invalid python path: %s cannot be found.")
    lib = env.get("PYTHON_LIB_PATH")
    if not lib:
        paths = subprocess.run([python, "-c", "import site; print('\\n'.join(site.getsitepackages()))"],
                               capture_output=True, text=True).stdout.split()
        paths = sorted(p for p in paths if os.path.isdir(p))
        lib = paths[0] if env.get("USE_DEFAULT_PYTHON_LIB_PATH") == "1" else ask(
            env, "PYTHON_LIB_PATH", "Please input the desired Python library path to use.", paths[0])
    action_env("PYTHON_BIN_PATH", python)
    action_env("PYTHON_LIB_PATH", lib)
    write('build --python_path="%s"' % python)
    with open(os.path.join(workspace, "tools", "python_bin_path.sh"), "w") as f:
        f.write('export PYTHON_BIN_PATH="%s"' % python)

    if yes(env, "TF_NEED_ROCM", "Do you wish to build TensorFlow with ROCm support?", False):
        raise UserInputError("stand-in: ROCm is not modelled")
    if yes(env, "TF_NEED_CUDA", "Do you wish to build TensorFlow with CUDA support?", False):
        raise UserInputError("stand-in: CUDA is not modelled")
    if yes(env, "TF_NEED_CLANG", "Do you want to use Clang to build TensorFlow?", True):
        raise UserInputError("stand-in: a clang host compiler is not modelled (answer TF_NEED_CLANG=0)")
    for opt in ask(env, "CC_OPT_FLAGS", "Please specify optimization flags", "-Wno-sign-compare").split():
        write("build:opt --copt=%s" % opt)
        write("build:opt --host_copt=%s" % opt)

    if yes(env, "TF_SET_ANDROID_WORKSPACE",
           "Would you like to interactively configure ./WORKSPACE for Android builds?", False):
        home = env.get("HOME", "")
        ndk = ask(env, "ANDROID_NDK_HOME", "Please specify the home path of the Android NDK to use.",
                  home + "/Android/Sdk/ndk-bundle",
                  lambda p: os.path.exists(os.path.join(p, "source.properties")),
                  'The path %s or its child file "source.properties" does not exist.')
        action_env("ANDROID_NDK_HOME", ndk)
        revision = re.search(r"Pkg.Revision = (\d+)", open(os.path.join(ndk, "source.properties")).read())
        if not revision:
            raise Exception("Unable to parse NDK revision.")
        action_env("ANDROID_NDK_VERSION", revision.group(1))
        with open(os.path.join(ndk, "meta/platforms.json")) as f:
            json.load(f)["aliases"]
        action_env("ANDROID_NDK_API_LEVEL",
                   ask(env, "ANDROID_NDK_API_LEVEL", "Please specify the (min) Android NDK API level", "21"))

        sdk = ask(env, "ANDROID_SDK_HOME", "Please specify the home path of the Android SDK to use.",
                  home + "/Android/Sdk",
                  lambda p: all(os.path.exists(os.path.join(p, d)) for d in ("platforms", "build-tools")),
                  'Either %s does not exist, or it does not contain the subdirectories "platforms" and '
                  '"build-tools".')
        levels = [x.replace("android-", "") for x in sorted(os.listdir(os.path.join(sdk, "platforms")))]
        api = ask(env, "ANDROID_API_LEVEL", "Please specify the Android SDK API level to use.", levels[-1],
                  lambda v: os.path.exists(os.path.join(sdk, "platforms", "android-" + v)),
                  "Android-%s is not present in the SDK path.")
        tools = ask(env, "ANDROID_BUILD_TOOLS_VERSION", "Please specify an Android build tools version to use.",
                    sorted(os.listdir(os.path.join(sdk, "build-tools")))[-1],
                    lambda v: os.path.exists(os.path.join(sdk, "build-tools", v)),
                    "The selected SDK does not have build-tools version %s available.")
        action_env("ANDROID_BUILD_TOOLS_VERSION", tools)
        action_env("ANDROID_SDK_API_LEVEL", api)
        action_env("ANDROID_SDK_HOME", sdk)

    write("test --test_size_filters=small,medium")
    print("Preconfigured Bazel build configs. (tflite-slim stand-in)")


if __name__ == "__main__":
    main()
