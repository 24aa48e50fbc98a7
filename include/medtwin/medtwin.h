/* SPDX-License-Identifier: Apache-2.0
 * medtwin/medtwin.h — umbrella header of the medtwin library. */
#ifndef MEDTWIN_H
#define MEDTWIN_H
#include "error.h"
#include "model.h"
#include "plot.h"
#include "data.h"
#include "sim.h"
#endif
