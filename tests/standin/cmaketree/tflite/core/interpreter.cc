// Stand-in interpreter: reads Model.operator_codes from a .tflite flatbuffer (bounds-checked) and
// resolves every code as LiteRT's GetRegistrationFromOpCode does, with its error texts.
#include "tflite/core/interpreter.h"
#include <cstdio>
#include <cstring>
namespace tflite {
namespace {
struct Reader {
  const uint8_t* data;
  size_t size;
  bool ok = true;
  uint32_t U32(size_t at) {
    if (at > size || size - at < 4) { ok = false; return 0; }
    uint32_t v;
    std::memcpy(&v, data + at, 4);
    return v;
  }
  uint16_t U16(size_t at) {
    if (at > size || size - at < 2) { ok = false; return 0; }
    uint16_t v;
    std::memcpy(&v, data + at, 2);
    return v;
  }
  // Position of field `index` of the table at `table`, or 0 when absent.
  size_t Field(size_t table, int index) {
    int32_t soffset = static_cast<int32_t>(U32(table));
    int64_t vtable = static_cast<int64_t>(table) - soffset;
    if (!ok || vtable < 0 || static_cast<size_t>(vtable) >= size) { ok = false; return 0; }
    uint16_t vsize = U16(vtable);
    size_t entry = 4 + 2 * static_cast<size_t>(index);
    if (!ok || entry + 2 > vsize) return 0;
    uint16_t off = U16(vtable + entry);
    return off ? table + off : 0;
  }
  size_t Deref(size_t at) {
    uint32_t off = U32(at);
    if (!ok || off > size - at) { ok = false; return 0; }
    return at + off;
  }
};
}  // namespace

std::string BuildInterpreter(const uint8_t* data, size_t size, const MutableOpResolver& resolver,
                             StandinInterpreter* out) {
  Reader r{data, size};
  size_t model = r.Deref(0);
  size_t codes_field = r.ok ? r.Field(model, 1) : 0;
  size_t codes = codes_field ? r.Deref(codes_field) : 0;
  uint32_t n = codes ? r.U32(codes) : 0;
  if (!r.ok || n > size / 4) return "The model is not a valid Flatbuffer buffer";
  for (uint32_t i = 0; i < n; ++i) {
    size_t code = r.Deref(codes + 4 + 4 * static_cast<size_t>(i));
    size_t f;
    int32_t deprecated = (f = r.Field(code, 0)) ? static_cast<int8_t>(f < size ? data[f] : 0) : 0;
    int32_t version = (f = r.Field(code, 2)) ? static_cast<int32_t>(r.U32(f)) : 1;
    int32_t builtin = (f = r.Field(code, 3)) ? static_cast<int32_t>(r.U32(f)) : 0;
    size_t custom_field = r.Field(code, 1);
    if (!r.ok) return "The model is not a valid Flatbuffer buffer";
    BuiltinOperator op = static_cast<BuiltinOperator>(builtin > deprecated ? builtin : deprecated);
    char message[512];
    if (op != BuiltinOperator_CUSTOM) {
      const TfLiteRegistration* reg = resolver.FindOp(op, version);
      if (reg == nullptr) {
        std::snprintf(message, sizeof message,
                      "Didn't find op for builtin opcode '%s' version '%d'. "
                      "An older version of this builtin might be supported. "
                      "Are you using an old TFLite binary with a newer model?\n",
                      EnumNameBuiltinOperator(op), version);
        return message;
      }
      out->ops.push_back(reg);
      continue;
    }
    size_t name = custom_field ? r.Deref(custom_field) : 0;
    uint32_t len = name ? r.U32(name) : 0;
    if (!r.ok || len > size - name - 4) return "The model is not a valid Flatbuffer buffer";
    std::string custom(reinterpret_cast<const char*>(data + name + 4), len);
    const TfLiteRegistration* reg = resolver.FindOp(custom.c_str(), version);
    if (reg == nullptr) {
      std::snprintf(message, sizeof message,
                    "Encountered unresolved custom op: %s.\nSee instructions: "
                    "https://www.tensorflow.org/lite/guide/ops_custom ",
                    custom.c_str());
      return message;
    }
    out->ops.push_back(reg);
  }
  return "";
}

float Run(const StandinInterpreter& interpreter, float input) {
  for (const TfLiteRegistration* op : interpreter.ops) input = op->invoke(input, 2.0f);
  return input;
}
}  // namespace tflite
