package io.tfliteslim.sample;

import android.app.Activity;
import android.content.res.AssetFileDescriptor;
import android.os.Bundle;
import android.widget.TextView;

import org.tensorflow.lite.Interpreter;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Runs assets/add.tflite (TensorFlow's own Java test model: two ADDs, output = 3 * input,
 * shape [1, 8, 8, 3]) with the slim runtime and shows the result.
 */
public class MainActivity extends Activity {
    private static final String MODEL = "add.tflite";

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        TextView view = new TextView(this);
        view.setPadding(32, 32, 32, 32);
        setContentView(view);
        try {
            view.setText(run());
        } catch (IOException | RuntimeException e) {
            view.setText("Could not run " + MODEL + ": " + e);
        }
    }

    private String run() throws IOException {
        float[][][][] input = new float[1][8][8][3];
        float[][][][] output = new float[1][8][8][3];
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                for (int c = 0; c < 3; c++) {
                    input[0][y][x][c] = y * 24 + x * 3 + c;
                }
            }
        }
        Interpreter interpreter = new Interpreter(load(MODEL));
        try {
            interpreter.run(input, output);
        } finally {
            interpreter.close();
        }
        return MODEL + " ran on the slim TensorFlow Lite runtime.\n"
                + "input[0][0][1] = " + format(input[0][0][1]) + "\n"
                + "output[0][0][1] = " + format(output[0][0][1]) + " (3 x input)";
    }

    private MappedByteBuffer load(String asset) throws IOException {
        AssetFileDescriptor fd = getAssets().openFd(asset);
        try (FileInputStream in = new FileInputStream(fd.getFileDescriptor())) {
            return in.getChannel().map(FileChannel.MapMode.READ_ONLY, fd.getStartOffset(), fd.getDeclaredLength());
        } finally {
            fd.close();
        }
    }

    private static String format(float[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(values[i]);
        }
        return s.append(']').toString();
    }
}
