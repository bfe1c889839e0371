package io.tfliteslim.sample

import android.app.Activity
import android.os.Bundle
import android.widget.FrameLayout
import android.widget.TextView
import org.tensorflow.lite.Interpreter
import java.io.FileInputStream
import java.nio.MappedByteBuffer
import java.nio.channels.FileChannel

/**
 * Runs assets/add.tflite (TensorFlow's own Java test model: two ADDs, output = 3 x input,
 * shape [1, 8, 8, 3]) through the LiteRT Interpreter API and shows one pixel of the result.
 */
class MainActivity : Activity() {

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val view = TextView(this)
        view.setPadding(32, 32, 32, 32)
        // targetSdk 35+ draws edge to edge: keep the text clear of the status and navigation bars.
        val root = FrameLayout(this)
        root.fitsSystemWindows = true
        root.addView(view)
        setContentView(root)
        view.text = try {
            runModel()
        } catch (e: Exception) {
            "Could not run $MODEL: $e"
        }
    }

    private fun runModel(): String {
        val input = Array(1) { Array(8) { y -> Array(8) { x -> FloatArray(3) { c -> (y * 24 + x * 3 + c).toFloat() } } } }
        val output = Array(1) { Array(8) { Array(8) { FloatArray(3) } } }
        val interpreter = Interpreter(loadModel(MODEL))
        try {
            interpreter.run(input, output)
        } finally {
            interpreter.close()
        }
        return "$MODEL ran through the LiteRT Interpreter API.\n" +
            "input[0][0][1] = ${input[0][0][1].contentToString()}\n" +
            "output[0][0][1] = ${output[0][0][1].contentToString()} (3 x input)"
    }

    /** The model memory-mapped from the APK (stored uncompressed: androidResources.noCompress). */
    private fun loadModel(asset: String): MappedByteBuffer =
        assets.openFd(asset).use { fd ->
            FileInputStream(fd.fileDescriptor).use { stream ->
                stream.channel.map(FileChannel.MapMode.READ_ONLY, fd.startOffset, fd.declaredLength)
            }
        }

    private companion object {
        const val MODEL = "add.tflite"
    }
}
