"""check-png.py PNG...: each picture is a real rendering: an image of at least 400 x 300 pixels with more than 200
distinct colours (a blank or failed rendering has a handful; the line, text and shading bring hundreds), and a colour
bar's worth of colours (more than 50) in the right-hand 15 %."""
import sys

import matplotlib.image as mpimg
import numpy as np

ok = True
for png in sys.argv[1:]:
    img = mpimg.imread(png)[:, :, :3]
    h, w = img.shape[:2]
    colours = len(np.unique((img.reshape(-1, 3) * 255).astype(np.uint8), axis=0))
    bar = len(np.unique((img[:, int(0.85 * w):].reshape(-1, 3) * 255).astype(np.uint8), axis=0))
    good = w >= 400 and h >= 300 and colours > 200 and bar > 50
    print("%s %s: %d x %d pixels, %d colours, %d in the right-hand 15 %% (colour bar)" % ("ok  " if good else "FAIL", png, w, h, colours, bar))
    ok = ok and good
sys.exit(0 if ok and len(sys.argv) > 1 else 1)
