"""What --fat_apk_cpu asks for, visible to genrules.

TensorFlow's aar_with_jni gets one .so per ABI from an android_binary, whose
split transition reads --fat_apk_cpu; genrules cannot read the flag. A
config_setting can: it matches a list-valued flag's whole value, so there is
one per ordered choice of distinct ABIs (64), and a select() maps each to its
comma-separated text. Any other value is an analysis error naming the flag.
"""

ABIS = ["arm64-v8a", "armeabi-v7a", "x86", "x86_64"]

def _choices():
    # Starlark has no recursion: grow ordered choices one ABI at a time.
    frontier = [[abi] for abi in ABIS]
    choices = list(frontier)
    for _ in range(len(ABIS) - 1):
        frontier = [c + [abi] for c in frontier for abi in ABIS if abi not in c]
        choices += frontier
    return choices

def _name(choice):
    return "fat_apk_cpu_" + "__".join(choice)

def fat_apk_cpu_settings():
    """Declares the config_settings; call once, in //tensorflow/lite/java:BUILD."""
    for choice in _choices():
        native.config_setting(name = _name(choice), values = {"fat_apk_cpu": ",".join(choice)})

def fat_apk_cpu_abis():
    """A select() giving the --fat_apk_cpu value, e.g. "arm64-v8a,armeabi-v7a"."""
    return select(
        {"//tensorflow/lite/java:" + _name(c): ",".join(c) for c in _choices()},
        no_match_error = "--fat_apk_cpu must list distinct ABIs among " + ", ".join(ABIS),
    )
