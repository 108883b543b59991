#!/bin/sh
echo infer
