/* SPDX-License-Identifier: Apache-2.0
 * medtwin/medtwin.h — umbrella header of the medtwin library. */
#ifndef MEDTWIN_H
#define MEDTWIN_H
#include "data.h"
#include "error.h"
#include "model.h"
#include "plot.h"
#include "sim.h"
#endif
