/**
 * The Python tool: its command lines ({@link io.tfliteslim.gradle.tool.ToolCommands}, pure), the one
 * place that starts a process ({@link io.tfliteslim.gradle.tool.ToolRunner}), and the interpreter
 * that has this version of the tool, found where the platform installs Python when the build names
 * none ({@link io.tfliteslim.gradle.tool.PythonCandidates}, pure) and provisioned from the wheel the jar
 * carries when needed ({@link io.tfliteslim.gradle.tool.ToolProvisioner}, {@link io.tfliteslim.gradle.tool.PythonProbe},
 * {@link io.tfliteslim.gradle.tool.ToolWheel}), once per build through the build service where Gradle has one ({@link io.tfliteslim.gradle.tool.ToolServices}); the tool's messages in the plugin's words
 * ({@link io.tfliteslim.gradle.tool.PluginSpelling}) and without URL credentials
 * ({@link io.tfliteslim.gradle.tool.Redaction}).
 *
 * <p>In: plain values (interpreter, working directory, options, environment). Out: argv lists, the
 * tool's output and exit status, or a {@code GradleException} with advice. Depends on no other
 * package of the plugin.
 */
package io.tfliteslim.gradle.tool;
